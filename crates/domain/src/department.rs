//! The department list (所管課の一覧) the planning office keeps: each 所管課 with its contact —
//! phone, e-mail, web page. Element pages show the contact of their 所管課, and the department
//! fields of the staff forms offer the list's names.

use std::collections::HashSet;

/// One 所管課 and how citizens reach it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Department {
    /// The name as plans write it, e.g. 「こども家庭課」.
    pub name: String,
    /// 電話番号, e.g. 「0191-21-2111」; may be empty.
    pub phone: String,
    /// メールアドレス; may be empty.
    pub email: String,
    /// The department's page on the city's site (`https://…`); may be empty.
    pub website: String,
}

/// A column of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepartmentField {
    /// 課の名前.
    Name,
    /// 電話番号.
    Phone,
    /// メールアドレス.
    Email,
    /// ページのアドレス.
    Website,
}

impl DepartmentField {
    /// The column's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "課の名前",
            Self::Phone => "電話番号",
            Self::Email => "メールアドレス",
            Self::Website => "ページのアドレス",
        }
    }

    /// The form field's name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Website => "website",
        }
    }
}

/// What is wrong with one cell of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentProblem {
    /// The row, from 0.
    pub row: usize,
    /// The column.
    pub field: DepartmentField,
    /// Why, in Japanese (without the row and column: the caller places it).
    pub message: String,
}

/// The longest name accepted.
pub const NAME_MAX: usize = 60;

/// Folds full-width ASCII (digits, hyphens, letters, @) to half-width and trims — what a clerk
/// typing 「０１９１－２１－２１１１」 means.
fn half_width(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            'ー' | '‐' | '―' | '−' => '-',
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

impl Department {
    /// The department as stored: names trimmed (inner spaces kept), phone and e-mail in
    /// half-width characters.
    pub fn normalized(&self) -> Self {
        Self {
            name: self.name.trim().trim_matches('\u{3000}').to_owned(),
            phone: half_width(&self.phone),
            email: half_width(&self.email),
            website: self.website.trim().to_owned(),
        }
    }

    /// Whether every field is empty (a blank row of the form, ignored).
    pub fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.phone.trim().is_empty()
            && self.email.trim().is_empty()
            && self.website.trim().is_empty()
    }
}

/// Checks a normalized list; every problem by its row and column.
pub fn check(list: &[Department]) -> Vec<DepartmentProblem> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (row, d) in list.iter().enumerate() {
        let mut push = |field, message: String| {
            problems.push(DepartmentProblem {
                row,
                field,
                message,
            });
        };
        if d.name.is_empty() {
            push(
                DepartmentField::Name,
                "課の名前を入力してください。".to_owned(),
            );
        } else if d.name.chars().count() > NAME_MAX {
            push(
                DepartmentField::Name,
                format!("課の名前は{NAME_MAX}文字までにしてください。"),
            );
        } else if d.name.chars().any(char::is_control) {
            push(
                DepartmentField::Name,
                "課の名前に改行や制御文字は使えません。".to_owned(),
            );
        } else if !seen.insert(d.name.clone()) {
            push(
                DepartmentField::Name,
                format!(
                    "「{}」は一覧にすでにあります（同じ名前は1行にしてください）。",
                    d.name
                ),
            );
        }
        if !d.phone.is_empty() && !phone_is_readable(&d.phone) {
            push(
                DepartmentField::Phone,
                format!(
                    "「{}」は電話番号として読めません（例: 0191-21-2111）。",
                    d.phone
                ),
            );
        }
        if !d.email.is_empty() {
            let ok = d.email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }) && d.email.chars().all(|c| c.is_ascii_graphic())
                && d.email.len() <= 254;
            if !ok {
                push(
                    DepartmentField::Email,
                    format!(
                        "「{}」はメールアドレスとして読めません（例: kodomo@city.example.jp）。",
                        d.email
                    ),
                );
            }
        }
        if !d.website.is_empty() {
            let host = d.website.split("://").nth(1).unwrap_or("");
            let ok = (d.website.starts_with("https://") || d.website.starts_with("http://"))
                && !host.is_empty()
                && !host.starts_with('/')
                && !d
                    .website
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "\"'<>`".contains(c));
            if !ok {
                push(
                    DepartmentField::Website,
                    format!(
                        "「{}」はページのアドレスとして使えません（https:// で始まるアドレスを書いてください）。",
                        d.website
                    ),
                );
            }
        }
    }
    problems
}

/// The department of a name in a list (names compare after trimming).
pub fn find<'a>(list: &'a [Department], name: &str) -> Option<&'a Department> {
    let name = name.trim();
    list.iter().find(|d| d.name == name)
}

/// The list as one text (for the audit log): one department a line, fields by 「／」.
pub fn list_text(list: &[Department]) -> String {
    list.iter()
        .map(|d| format!("{}／{}／{}／{}", d.name, d.phone, d.email, d.website))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A phone number as a city writes it: at least six digits, at most 30
/// characters, and only digits, hyphens, brackets, spaces and 内線/ext.
fn phone_is_readable(phone: &str) -> bool {
    phone.chars().filter(char::is_ascii_digit).count() >= 6
        && phone.chars().count() <= 30
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || "-() +内線ext.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(name: &str, phone: &str, email: &str, website: &str) -> Department {
        Department {
            name: name.to_owned(),
            phone: phone.to_owned(),
            email: email.to_owned(),
            website: website.to_owned(),
        }
        .normalized()
    }

    #[test]
    fn full_width_input_is_folded() {
        let d = dept(
            "　こども家庭課 ",
            "０１９１－２１－２１１１",
            "ｋｏｄｏｍｏ＠ｃｉｔｙ．ｊｐ",
            "",
        );
        assert_eq!(d.name, "こども家庭課");
        assert_eq!(d.phone, "0191-21-2111");
        assert_eq!(d.email, "kodomo@city.jp");
        assert!(check(&[d]).is_empty());
    }

    #[test]
    fn every_problem_is_found_with_its_row_and_column() {
        let list = [
            dept(
                "農政課",
                "0191-21-2111",
                "nosei@city.example.jp",
                "https://www.city.example.jp/nosei/",
            ),
            dept("", "abc", "nosei@", "javascript:alert(1)"),
            dept("農政課", "", "", ""),
            dept(&"課".repeat(NAME_MAX + 1), "", "", ""),
        ];
        let found: Vec<(usize, DepartmentField)> =
            check(&list).iter().map(|p| (p.row, p.field)).collect();
        assert_eq!(
            found,
            vec![
                (1, DepartmentField::Name),
                (1, DepartmentField::Phone),
                (1, DepartmentField::Email),
                (1, DepartmentField::Website),
                (2, DepartmentField::Name),
                (3, DepartmentField::Name),
            ]
        );
    }

    #[test]
    fn phones_with_extensions_and_parentheses_are_accepted() {
        for phone in ["0191(21)2111", "0191-21-2111 内線8231", "+81-191-21-2111"] {
            assert!(check(&[dept("a", phone, "", "")]).is_empty(), "{phone}");
        }
    }

    #[test]
    fn names_are_found_after_trimming() {
        let list = [dept("農政課", "", "", "")];
        assert!(find(&list, " 農政課 ").is_some());
        assert!(find(&list, "農林部農政課").is_none());
    }
}
