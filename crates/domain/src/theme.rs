//! The city's themes (テーマ): a list the planning office keeps — 子育て, 高齢者, 仕事, 防災, … —
//! each with a short description and the words citizens search it by (readings and
//! synonyms: 「こそだて」「育児」「子ども」). Elements of the plans are tagged with themes; the
//! public site has a page per theme, and search treats a theme's name and its words as one
//! word (see [`crate::search::Thesaurus`]).

use std::collections::HashSet;

use crate::search::Thesaurus;

/// One theme.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Theme {
    /// The stable code used in addresses and tags, e.g. `kosodate` (a–z, 0–9, hyphens).
    pub code: String,
    /// The name, e.g. 「子育て」.
    pub name: String,
    /// One or two sentences for the theme's page; may be empty.
    pub description: String,
    /// Readings and synonyms search treats as the name, e.g. 「こそだて」「育児」.
    pub words: Vec<String>,
}

/// A column of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeField {
    /// 記号 (the code).
    Code,
    /// テーマの名前.
    Name,
    /// 説明.
    Description,
    /// 読み・言い換え.
    Words,
}

impl ThemeField {
    /// The column's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Code => "記号",
            Self::Name => "テーマの名前",
            Self::Description => "説明",
            Self::Words => "読み・言い換え",
        }
    }

    /// The form field's name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Name => "name",
            Self::Description => "description",
            Self::Words => "words",
        }
    }
}

/// What is wrong with one cell of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThemeProblem {
    /// The row, from 0.
    pub row: usize,
    /// The column.
    pub field: ThemeField,
    /// Why, in Japanese (without the row and column: the caller places it).
    pub message: String,
}

/// The longest name accepted.
pub const NAME_MAX: usize = 30;
/// The longest code accepted.
pub const CODE_MAX: usize = 40;
/// The longest description accepted.
pub const DESCRIPTION_MAX: usize = 400;
/// The longest word accepted, and the most words a theme may have.
pub const WORD_MAX: usize = 30;
/// The most words a theme may have.
pub const WORDS_MAX: usize = 30;

/// Splits the words a clerk typed: separated by 「、」「,」「，」, spaces or lines; trimmed,
/// empty ones dropped, each once.
pub fn parse_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in text.split(|c: char| matches!(c, '、' | ',' | '，' | '､') || c.is_whitespace()) {
        let w = w.trim();
        if !w.is_empty() && !words.iter().any(|x| x == w) {
            words.push(w.to_owned());
        }
    }
    words
}

/// The words as the form shows them: 「こそだて、育児」.
pub fn words_text(words: &[String]) -> String {
    words.join("、")
}

impl Theme {
    /// The theme as stored: trimmed; the code in lower-case half-width characters.
    pub fn normalized(&self) -> Self {
        let code: String = self
            .code
            .trim()
            .trim_matches('\u{3000}')
            .chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
                'ー' => '-',
                _ => c,
            })
            .collect::<String>()
            .to_ascii_lowercase();
        Self {
            code,
            name: self.name.trim().trim_matches('\u{3000}').to_owned(),
            description: self.description.trim().to_owned(),
            words: self
                .words
                .iter()
                .map(|w| w.trim().trim_matches('\u{3000}').to_owned())
                .filter(|w| !w.is_empty())
                .collect(),
        }
    }

    /// Whether every field is empty (a blank row of the form, ignored).
    pub fn is_blank(&self) -> bool {
        self.code.trim().is_empty()
            && self.name.trim().is_empty()
            && self.description.trim().is_empty()
            && self.words.iter().all(|w| w.trim().is_empty())
    }
}

/// Whether a code may be used in an address: 1–40 of a–z, 0–9 and inner hyphens.
pub fn code_is_valid(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= CODE_MAX
        && !code.starts_with('-')
        && !code.ends_with('-')
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks a normalized list; every problem by its row and column.
pub fn check(list: &[Theme]) -> Vec<ThemeProblem> {
    let mut problems = Vec::new();
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for (row, t) in list.iter().enumerate() {
        let mut push = |field, message: String| {
            problems.push(ThemeProblem {
                row,
                field,
                message,
            });
        };
        if t.code.is_empty() {
            push(
                ThemeField::Code,
                "記号を入力してください（例: kosodate）。".to_owned(),
            );
        } else if !code_is_valid(&t.code) {
            push(
                ThemeField::Code,
                format!(
                    "「{}」は記号に使えません。半角の英小文字・数字・ハイフンで{CODE_MAX}文字までにしてください（例: kosodate）。",
                    t.code
                ),
            );
        } else if !codes.insert(t.code.clone()) {
            push(
                ThemeField::Code,
                format!("記号「{}」は一覧にすでにあります。", t.code),
            );
        }
        if t.name.is_empty() {
            push(
                ThemeField::Name,
                "テーマの名前を入力してください。".to_owned(),
            );
        } else if t.name.chars().count() > NAME_MAX {
            push(
                ThemeField::Name,
                format!("テーマの名前は{NAME_MAX}文字までにしてください。"),
            );
        } else if t.name.chars().any(char::is_control) {
            push(
                ThemeField::Name,
                "テーマの名前に改行や制御文字は使えません。".to_owned(),
            );
        } else if !names.insert(t.name.clone()) {
            push(
                ThemeField::Name,
                format!("「{}」は一覧にすでにあります。", t.name),
            );
        }
        if t.description.chars().count() > DESCRIPTION_MAX {
            push(
                ThemeField::Description,
                format!("説明は{DESCRIPTION_MAX}文字までにしてください。"),
            );
        }
        if t.words.len() > WORDS_MAX {
            push(
                ThemeField::Words,
                format!("読み・言い換えは{WORDS_MAX}語までにしてください。"),
            );
        } else if let Some(w) = t
            .words
            .iter()
            .find(|w| w.chars().count() > WORD_MAX || w.chars().any(char::is_control))
        {
            push(
                ThemeField::Words,
                format!("「{w}」は長すぎるか、使えない文字を含みます（1語{WORD_MAX}文字まで）。"),
            );
        }
    }
    problems
}

/// The theme of a code.
pub fn find<'a>(list: &'a [Theme], code: &str) -> Option<&'a Theme> {
    list.iter().find(|t| t.code == code)
}

/// The list as one text (for the audit log): one theme a line, fields by 「／」.
pub fn list_text(list: &[Theme]) -> String {
    list.iter()
        .map(|t| {
            format!(
                "{}／{}／{}／{}",
                t.code,
                t.name,
                t.description,
                words_text(&t.words)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The thesaurus search uses: each theme's name and words as one group.
pub fn thesaurus(list: &[Theme]) -> Thesaurus {
    Thesaurus::new(
        list.iter()
            .map(|t| std::iter::once(t.name.as_str()).chain(t.words.iter().map(String::as_str))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(code: &str, name: &str, words: &str) -> Theme {
        Theme {
            code: code.to_owned(),
            name: name.to_owned(),
            description: String::new(),
            words: parse_words(words),
        }
        .normalized()
    }

    #[test]
    fn words_are_split_on_commas_spaces_and_lines() {
        assert_eq!(
            parse_words("こそだて、育児,子ども　こども\n子ども"),
            vec!["こそだて", "育児", "子ども", "こども"]
        );
        assert!(parse_words(" 、 ").is_empty());
    }

    #[test]
    fn codes_are_folded_to_half_width_lower_case() {
        let t = theme("　ＫＯＳＯＤＡＴＥ ", " 子育て ", "");
        assert_eq!(t.code, "kosodate");
        assert_eq!(t.name, "子育て");
        assert!(check(&[t]).is_empty());
    }

    #[test]
    fn every_problem_is_found_with_its_row_and_column() {
        let list = [
            theme("kosodate", "子育て", "こそだて"),
            theme("", "", ""),
            theme("kosodate", "子育て", ""),
            theme(
                "防災",
                &"災".repeat(NAME_MAX + 1),
                &"あ".repeat(WORD_MAX + 1),
            ),
        ];
        let found: Vec<(usize, ThemeField)> =
            check(&list).iter().map(|p| (p.row, p.field)).collect();
        assert_eq!(
            found,
            vec![
                (1, ThemeField::Code),
                (1, ThemeField::Name),
                (2, ThemeField::Code),
                (2, ThemeField::Name),
                (3, ThemeField::Code),
                (3, ThemeField::Name),
                (3, ThemeField::Words),
            ]
        );
    }

    #[test]
    fn codes_for_addresses() {
        for ok in ["kosodate", "bosai-2", "a"] {
            assert!(code_is_valid(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "Kosodate",
            "子育て",
            "a/b",
            &"a".repeat(CODE_MAX + 1),
        ] {
            assert!(!code_is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn a_theme_name_and_its_words_are_one_group_of_the_thesaurus() {
        let t = thesaurus(&[theme("kosodate", "子育て", "こそだて、育児")]);
        let mut alts = t.alternatives("コソダテ");
        alts.sort();
        let mut want: Vec<Vec<char>> = ["こそだて", "子育て", "育児"]
            .iter()
            .map(|s| s.chars().collect())
            .collect();
        want.sort();
        assert_eq!(alts, want);
        assert_eq!(
            t.alternatives("観光"),
            vec!["観光".chars().collect::<Vec<_>>()]
        );
    }
}
