//! Accounts and roles: who may sign in, and what each role may do. The rules about passwords
//! that do not need a hash function live here too; hashing is the use cases' concern.

use std::fmt;

/// Why a value was refused; the message is Japanese, for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountError(pub String);

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AccountError {}

/// A login id: 3–32 lowercase ASCII letters, digits, `.`, `_` or `-`, starting with a letter
/// or digit. Ids are compared exactly; they never change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LoginId(String);

impl LoginId {
    /// Parses a login id.
    pub fn parse(input: &str) -> Result<Self, AccountError> {
        let ok = (3..=32).contains(&input.len())
            && input.as_bytes()[0].is_ascii_alphanumeric()
            && input.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(AccountError(format!(
                "ログインID「{input}」は使えません。半角英小文字・数字・「.」「_」「-」の3〜32文字で、英数字で始めてください。"
            )))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a user may do. A user may hold several roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// 管理者: everything, including users and settings.
    Administrator,
    /// 企画: edits every plan element, changes plan status, publishes.
    PlanningOffice,
    /// 所管課: edits only what is assigned to their department.
    DepartmentEditor,
    /// 委員: reads drafts shared with their body.
    Member,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Self; 4] = [
        Self::Administrator,
        Self::PlanningOffice,
        Self::DepartmentEditor,
        Self::Member,
    ];

    /// The stable code used in the database and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::PlanningOffice => "planning_office",
            Self::DepartmentEditor => "department_editor",
            Self::Member => "member",
        }
    }

    /// Parses [`Role::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The Japanese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Administrator => "管理者",
            Self::PlanningOffice => "企画担当",
            Self::DepartmentEditor => "所管課担当",
            Self::Member => "委員",
        }
    }
}

/// A user of the staff side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Login id.
    pub login_id: LoginId,
    /// Name shown on pages and in the audit log's browser.
    pub display_name: String,
    /// 所管課 (e.g. 農政課); may be empty.
    pub department: String,
    /// Roles, in [`Role::ALL`] order, without repeats.
    pub roles: Vec<Role>,
    /// A disabled user cannot sign in; the account is kept for the audit log.
    pub disabled: bool,
}

impl User {
    /// Whether the user holds a role.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the user may read plans that are not published yet (drafts): everyone with a
    /// staff role or a member's role. (Members will see only what is shared with their body
    /// once bodies exist.)
    pub fn may_read_drafts(&self) -> bool {
        !self.disabled && !self.roles.is_empty()
    }

    /// Checks the user's own fields; every problem with the field's name.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.display_name.trim().is_empty() {
            out.push(("display_name", "氏名を入力してください。".to_owned()));
        }
        if self.display_name.chars().count() > 100 {
            out.push((
                "display_name",
                "氏名は100文字以内で入力してください。".to_owned(),
            ));
        }
        if self.department.chars().count() > 100 {
            out.push((
                "department",
                "所属は100文字以内で入力してください。".to_owned(),
            ));
        }
        // Control characters (NUL among them) are refused the same way on every backend:
        // PostgreSQL cannot store NUL in text, and SQLite would keep an invisible character.
        for (field, label, text) in [
            ("display_name", "氏名", &self.display_name),
            ("department", "所属", &self.department),
        ] {
            if text.chars().any(char::is_control) {
                out.push((
                    field,
                    format!("{label}に改行や制御文字（表示されない文字）は使えません。"),
                ));
            }
        }
        if self.roles.is_empty() {
            out.push(("roles", "役割を1つ以上選んでください。".to_owned()));
        }
        out
    }
}

/// Sorts roles into [`Role::ALL`] order and removes repeats.
pub fn normalize_roles(roles: impl IntoIterator<Item = Role>) -> Vec<Role> {
    let mut v: Vec<Role> = roles.into_iter().collect();
    v.sort();
    v.dedup();
    v
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a new password against the rules that need no hash: length, and not the login id.
pub fn check_new_password(login_id: &LoginId, password: &str) -> Result<(), AccountError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AccountError(format!(
            "パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください（{n}文字でした）。"
        )));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AccountError(format!(
            "パスワードは{MAX_PASSWORD_CHARS}文字以内にしてください。"
        )));
    }
    if password.to_lowercase().contains(login_id.as_str()) {
        return Err(AccountError(
            "パスワードにログインIDを含めないでください。".to_owned(),
        ));
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err(AccountError(
            "同じ文字だけのパスワードは使えません。".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn login_ids() {
        for ok in ["admin", "k.sato", "kikaku-01", "a_b"] {
            assert!(LoginId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ab", "Admin", "-abc", "佐藤", "a b c", &"a".repeat(33)] {
            assert!(
                LoginId::parse(bad).unwrap_err().0.contains("ログインID"),
                "{bad}"
            );
        }
    }

    #[test]
    fn roles_round_trip_and_sort() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("root"), None);
        assert_eq!(
            normalize_roles([Role::Member, Role::Administrator, Role::Member]),
            vec![Role::Administrator, Role::Member]
        );
    }

    #[test]
    fn passwords() {
        let id = LoginId::parse("sato").unwrap();
        assert!(check_new_password(&id, "correct horse battery").is_ok());
        assert!(check_new_password(&id, "short").is_err());
        assert!(check_new_password(&id, "my-SATO-password-1").is_err());
        assert!(check_new_password(&id, &"x".repeat(20)).is_err());
        assert!(check_new_password(&id, &"xy".repeat(200)).is_err());
    }

    #[test]
    fn user_problems_name_the_field() {
        let u = User {
            login_id: LoginId::parse("sato").unwrap(),
            display_name: " ".to_owned(),
            department: String::new(),
            roles: vec![],
            disabled: false,
        };
        let fields: Vec<&str> = u.problems().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["display_name", "roles"]);
        assert!(!u.may_read_drafts());
        for (name, department, expected) in [
            ("佐藤\u{0}花子", "", vec!["display_name"]),
            ("佐藤 花子", "企画\n調整課", vec!["department"]),
            ("佐藤\u{7}", "課\u{1b}", vec!["display_name", "department"]),
            ("佐藤 花子", "企画調整課", vec![]),
        ] {
            let u = User {
                display_name: name.to_owned(),
                department: department.to_owned(),
                roles: vec![Role::Member],
                ..u.clone()
            };
            let fields: Vec<&str> = u.problems().iter().map(|(f, _)| *f).collect();
            assert_eq!(fields, expected, "{name:?} {department:?}");
        }
    }
}
