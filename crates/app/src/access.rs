//! Who may do what: the table of actions and audiences every route goes through, and
//! capabilities: a use case that changes data takes a capability value, and only the code
//! allowed to act holds one. The web transport has none yet (the public site is read-only);
//! accounts and roles will hand them out per user.

use keikaku_domain::account::{Role, User};

/// The operator of an installation, acting from the command line on the server itself.
/// Only the binary constructs it; it may import and export plans.
#[derive(Debug)]
pub struct Operator {
    _private: (),
}

impl Operator {
    /// The operator at the server's console. Call this only from the command-line entry
    /// point: whoever holds the value may replace plans.
    pub fn at_console() -> Self {
        Self { _private: () }
    }

    /// How the operator is named in the audit log.
    pub fn actor(&self) -> &'static str {
        "cli"
    }
}

/// Everything a person can ask keikaku to do through a transport. Each route of the web
/// transport names one of these, and [`permits`] decides, from one table, who may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read what is published (the public site and API).
    ReadPublished,
    /// Open the sign-in form and sign in.
    SignIn,
    /// End one's own session.
    SignOut,
    /// Read plans that are not published yet.
    ReadDrafts,
    /// Move a plan to another status (審議中, 決定, 公開 …).
    ChangePlanStatus,
    /// Name a frozen version of a plan and give its reason (版の名称と理由), after it was
    /// frozen.
    NameVersions,
    /// Edit a draft plan's elements (the use cases narrow a department editor to the
    /// elements of their own department).
    EditPlan,
    /// Browse the audit log and check its chain.
    ReadAudit,
    /// See and manage user accounts.
    ManageUsers,
    /// Make, list and revoke one's own personal access tokens for the API.
    ManageOwnTokens,
    /// Enter the yearly values of indicators (目標値・実績値) of adopted or published plans
    /// (a department editor: only the indicators of their own department).
    EnterKpiValues,
    /// Set a plan's evaluation settings (評価の設定: the rate graded, the grade scale).
    ManageKpiSettings,
    /// Enter the 要因分析 and 今後の方向性 of a verification round (a department editor: only
    /// the indicators of their own department).
    EnterKpiAnalysis,
    /// Submit a department's part of a verification round (提出).
    SubmitKpiRound,
    /// Review the departments' parts (承認 / 差戻し) and see the completeness board.
    ReviewKpiRound,
    /// Record the expert panel's 委員評価, 指摘事項 and overall opinion.
    AssessKpiRound,
    /// Record the city's response (対応方針) to each remark.
    RespondKpiRemarks,
    /// Publish a round's verification report, or re-open a published round.
    PublishKpiRound,
    /// Read the 実施計画's editions in any state (a department editor: only the programs of
    /// their own department).
    ReadPrograms,
    /// Enter and change the programs of a 実施計画 edition being made (a department editor:
    /// only the programs of their own department, while their part is not submitted).
    EditPrograms,
    /// Submit a department's programs of an edition (提出).
    SubmitPrograms,
    /// Review the departments' programs (承認 / 差戻し).
    ReviewPrograms,
    /// Open editions (new, or by rolling the last), set their basis plan, rounding and fiscal
    /// frames, and fix (確定), re-open and publish them.
    ManageEditions,
    /// Read the 人口ビジョン as staff: every scenario, published or not, with its assumptions.
    ReadPopulation,
    /// Enter censuses and the vision's figures (target path, actual totals, references), make,
    /// derive, run and publish projection scenarios.
    ManagePopulation,
    /// Keep the department list (所管課の一覧: names and contacts).
    ManageDepartments,
    /// Keep the theme list (テーマ: names, descriptions, readings and synonyms) and put plan
    /// elements under themes.
    ManageThemes,
}

/// Who may perform an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not.
    Everyone,
    /// Any signed-in user, whatever their roles.
    SignedIn,
    /// Signed-in users holding one of these roles, each with the reach it gives.
    Roles(&'static [(Role, Scope)]),
}

/// How far an action reaches for a role: everything, or only what is assigned to the user's
/// own department (所管課). The department policy lives here, in the one table, not in a
/// second role check beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Only elements (and, later, indicators and programs) whose 所管課 is the user's own
    /// department, and only their content: not the 所管課, the structure or the links.
    OwnDepartment,
    /// Everything of the municipality.
    All,
}

impl Scope {
    /// Whether this scope reaches something assigned to `department` (`None`: a kind that is
    /// not assigned to departments), for `user`.
    pub fn reaches(self, user: &User, department: Option<&str>) -> bool {
        match self {
            Self::All => true,
            Self::OwnDepartment => {
                let own = user.department.trim();
                !own.is_empty() && department.map(str::trim) == Some(own)
            }
        }
    }
}

const ALL_STAFF: &[(Role, Scope)] = &[
    (Role::Administrator, Scope::All),
    (Role::PlanningOffice, Scope::All),
    (Role::DepartmentEditor, Scope::All),
    (Role::Member, Scope::All),
];
const PLANNING: &[(Role, Scope)] = &[
    (Role::Administrator, Scope::All),
    (Role::PlanningOffice, Scope::All),
];
const DEPARTMENTS: &[(Role, Scope)] = &[
    (Role::Administrator, Scope::All),
    (Role::PlanningOffice, Scope::All),
    (Role::DepartmentEditor, Scope::OwnDepartment),
];
const PANEL: &[(Role, Scope)] = &[
    (Role::Administrator, Scope::All),
    (Role::Member, Scope::All),
];
const ADMINISTRATORS: &[(Role, Scope)] = &[(Role::Administrator, Scope::All)];

/// The one table of who may do what. A new action must be added here, or it cannot be
/// reached: [`permits`] has no default.
pub const PERMISSIONS: &[(Action, Audience)] = &[
    (Action::ReadPublished, Audience::Everyone),
    (Action::SignIn, Audience::Everyone),
    (Action::SignOut, Audience::SignedIn),
    (Action::ReadDrafts, Audience::Roles(ALL_STAFF)),
    (Action::ChangePlanStatus, Audience::Roles(PLANNING)),
    (Action::NameVersions, Audience::Roles(PLANNING)),
    (
        Action::EditPlan,
        Audience::Roles(&[
            (Role::Administrator, Scope::All),
            (Role::PlanningOffice, Scope::All),
            (Role::DepartmentEditor, Scope::OwnDepartment),
        ]),
    ),
    (Action::ReadAudit, Audience::Roles(ADMINISTRATORS)),
    (Action::ManageUsers, Audience::Roles(ADMINISTRATORS)),
    (Action::ManageOwnTokens, Audience::SignedIn),
    (Action::EnterKpiValues, Audience::Roles(DEPARTMENTS)),
    (Action::EnterKpiAnalysis, Audience::Roles(DEPARTMENTS)),
    (Action::SubmitKpiRound, Audience::Roles(DEPARTMENTS)),
    (Action::ReviewKpiRound, Audience::Roles(PLANNING)),
    (Action::AssessKpiRound, Audience::Roles(PANEL)),
    (Action::RespondKpiRemarks, Audience::Roles(PLANNING)),
    (Action::PublishKpiRound, Audience::Roles(PLANNING)),
    (Action::ManageKpiSettings, Audience::Roles(PLANNING)),
    (
        Action::ReadPrograms,
        Audience::Roles(&[
            (Role::Administrator, Scope::All),
            (Role::PlanningOffice, Scope::All),
            (Role::DepartmentEditor, Scope::OwnDepartment),
            (Role::Member, Scope::All),
        ]),
    ),
    (Action::EditPrograms, Audience::Roles(DEPARTMENTS)),
    (Action::SubmitPrograms, Audience::Roles(DEPARTMENTS)),
    (Action::ReviewPrograms, Audience::Roles(PLANNING)),
    (Action::ManageEditions, Audience::Roles(PLANNING)),
    (Action::ReadPopulation, Audience::Roles(ALL_STAFF)),
    (Action::ManagePopulation, Audience::Roles(PLANNING)),
    (Action::ManageDepartments, Audience::Roles(PLANNING)),
    (Action::ManageThemes, Audience::Roles(PLANNING)),
];

/// Whoever a use case acts for: the console operator (who may do everything) or a signed-in
/// user holding a [`Granted`] action.
pub trait Authority {
    /// Whether this authority covers the action.
    fn allows(&self, action: Action) -> bool;

    /// Whether it reaches what a department owns (the operator and a grant of [`Scope::All`]
    /// reach everything; a department's grant its own department's).
    fn reaches(&self, department: Option<&str>) -> bool;

    /// How the one acting is named in the audit log.
    fn actor(&self) -> String;

    /// The department a grant is narrowed to (`Scope::OwnDepartment`); `None` when it reaches
    /// everything (the operator, a grant of `Scope::All`).
    fn own_department(&self) -> Option<String>;
}

impl Authority for Operator {
    fn allows(&self, _: Action) -> bool {
        true
    }

    fn reaches(&self, _: Option<&str>) -> bool {
        true
    }

    fn actor(&self) -> String {
        Operator::actor(self).to_owned()
    }

    fn own_department(&self) -> Option<String> {
        None
    }
}

impl Authority for Granted {
    fn allows(&self, action: Action) -> bool {
        self.action == action
    }

    fn reaches(&self, department: Option<&str>) -> bool {
        self.scope.reaches(&self.user, department)
    }

    fn actor(&self) -> String {
        self.user.login_id.to_string()
    }

    fn own_department(&self) -> Option<String> {
        (self.scope == Scope::OwnDepartment).then(|| self.user.department.trim().to_owned())
    }
}

/// Refuses a use case to an authority that does not cover its action.
pub fn require(authority: &impl Authority, action: Action) -> Result<(), crate::AppError> {
    if authority.allows(action) {
        Ok(())
    } else {
        Err(crate::AppError::Forbidden(
            "この操作をする権限がありません。".to_owned(),
        ))
    }
}

/// Proof that a signed-in user may perform an action: only [`Granted::check`] makes one, so a
/// use case that takes it cannot be reached without the check.
#[derive(Debug)]
pub struct Granted {
    user: keikaku_domain::account::User,
    action: Action,
    scope: Scope,
}

impl Granted {
    /// Grants the action if the permission table allows it for the user's roles.
    pub fn check(
        user: keikaku_domain::account::User,
        action: Action,
    ) -> Result<Self, crate::AppError> {
        if let Some(scope) = scope_of(&user, action) {
            Ok(Self {
                user,
                action,
                scope,
            })
        } else {
            Err(crate::AppError::Forbidden(
                "この操作をする権限がありません。".to_owned(),
            ))
        }
    }

    /// The user acting.
    pub fn user(&self) -> &keikaku_domain::account::User {
        &self.user
    }

    /// The action granted.
    pub fn action(&self) -> Action {
        self.action
    }

    /// How far the grant reaches (the widest of the user's roles for the action).
    pub fn scope(&self) -> Scope {
        self.scope
    }
}

/// How far the action reaches for this user (`None`: not at all; a disabled user has none).
/// Everyone and signed-in audiences reach everything.
pub fn scope_of(user: &User, action: Action) -> Option<Scope> {
    if user.disabled {
        return None;
    }
    let (_, audience) = PERMISSIONS.iter().find(|(a, _)| *a == action)?;
    match audience {
        Audience::Everyone | Audience::SignedIn => Some(Scope::All),
        Audience::Roles(allowed) => widest(allowed, &user.roles),
    }
}

/// The widest scope that the held roles get from the allowed ones.
fn widest(allowed: &[(Role, Scope)], held: &[Role]) -> Option<Scope> {
    allowed
        .iter()
        .filter(|(r, _)| held.contains(r))
        .map(|(_, s)| *s)
        .max()
}

/// Whether someone with these roles (`None`: not signed in) may perform the action.
pub fn permits(roles: Option<&[Role]>, action: Action) -> bool {
    let Some((_, audience)) = PERMISSIONS.iter().find(|(a, _)| *a == action) else {
        return false;
    };
    match (audience, roles) {
        (Audience::Everyone, _) => true,
        (_, None) => false,
        (Audience::SignedIn, Some(_)) => true,
        (Audience::Roles(allowed), Some(held)) => widest(allowed, held).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_decides() {
        assert!(permits(None, Action::ReadPublished));
        assert!(permits(None, Action::SignIn));
        assert!(!permits(None, Action::SignOut));
        assert!(!permits(None, Action::ReadDrafts));
        assert!(permits(Some(&[]), Action::SignOut));
        assert!(!permits(Some(&[]), Action::ReadDrafts));
        assert!(permits(Some(&[Role::Member]), Action::ReadDrafts));
        assert!(permits(Some(&[Role::DepartmentEditor]), Action::EditPlan));
        assert!(!permits(Some(&[Role::Member]), Action::EditPlan));
    }

    fn user(roles: Vec<Role>, department: &str) -> User {
        User {
            login_id: keikaku_domain::account::LoginId::parse("tester")
                .unwrap_or_else(|_| panic!("a valid login id")),
            display_name: "u".into(),
            department: department.into(),
            roles,
            disabled: false,
        }
    }

    #[test]
    fn department_editors_reach_their_own_department() {
        let editor = user(vec![Role::DepartmentEditor], "農政課");
        assert_eq!(
            scope_of(&editor, Action::EditPlan),
            Some(Scope::OwnDepartment)
        );
        let both = user(vec![Role::DepartmentEditor, Role::PlanningOffice], "農政課");
        assert_eq!(scope_of(&both, Action::EditPlan), Some(Scope::All));
        let own = Scope::OwnDepartment;
        assert!(own.reaches(&editor, Some("農政課")));
        assert!(own.reaches(&editor, Some(" 農政課")));
        assert!(!own.reaches(&editor, Some("商工課")));
        assert!(!own.reaches(&editor, None));
        assert!(!own.reaches(&user(vec![Role::DepartmentEditor], ""), Some("")));
        assert!(Scope::All.reaches(&editor, None));
        let mut disabled = user(vec![Role::Administrator], "");
        disabled.disabled = true;
        assert_eq!(scope_of(&disabled, Action::EditPlan), None);
        assert_eq!(
            scope_of(&user(vec![], ""), Action::SignOut),
            Some(Scope::All)
        );
    }
}
