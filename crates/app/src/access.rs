//! Who may do what: the table of actions and audiences every route goes through, and
//! capabilities: a use case that changes data takes a capability value, and only the code
//! allowed to act holds one. The web transport has none yet (the public site is read-only);
//! accounts and roles will hand them out per user.

use keikaku_domain::account::Role;

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
    /// Edit a draft plan's elements (the use cases narrow a department editor to the
    /// elements of their own department).
    EditPlan,
    /// Browse the audit log and check its chain.
    ReadAudit,
    /// See and manage user accounts.
    ManageUsers,
    /// Make, list and revoke one's own personal access tokens for the API.
    ManageOwnTokens,
}

/// Who may perform an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not.
    Everyone,
    /// Any signed-in user, whatever their roles.
    SignedIn,
    /// Signed-in users holding one of these roles.
    Roles(&'static [Role]),
}

/// The one table of who may do what. A new action must be added here, or it cannot be
/// reached: [`permits`] has no default.
pub const PERMISSIONS: &[(Action, Audience)] = &[
    (Action::ReadPublished, Audience::Everyone),
    (Action::SignIn, Audience::Everyone),
    (Action::SignOut, Audience::SignedIn),
    (
        Action::ReadDrafts,
        Audience::Roles(&[
            Role::Administrator,
            Role::PlanningOffice,
            Role::DepartmentEditor,
            Role::Member,
        ]),
    ),
    (
        Action::ChangePlanStatus,
        Audience::Roles(&[Role::Administrator, Role::PlanningOffice]),
    ),
    (
        Action::EditPlan,
        Audience::Roles(&[
            Role::Administrator,
            Role::PlanningOffice,
            Role::DepartmentEditor,
        ]),
    ),
    (Action::ReadAudit, Audience::Roles(&[Role::Administrator])),
    (Action::ManageUsers, Audience::Roles(&[Role::Administrator])),
    (Action::ManageOwnTokens, Audience::SignedIn),
];

/// Whoever a use case acts for: the console operator (who may do everything) or a signed-in
/// user holding a [`Granted`] action.
pub trait Authority {
    /// Whether this authority covers the action.
    fn allows(&self, action: Action) -> bool;
}

impl Authority for Operator {
    fn allows(&self, _: Action) -> bool {
        true
    }
}

impl Authority for Granted {
    fn allows(&self, action: Action) -> bool {
        self.action == action
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
}

impl Granted {
    /// Grants the action if the permission table allows it for the user's roles.
    pub fn check(
        user: keikaku_domain::account::User,
        action: Action,
    ) -> Result<Self, crate::AppError> {
        if !user.disabled && permits(Some(&user.roles), action) {
            Ok(Self { user, action })
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
        (Audience::Roles(allowed), Some(held)) => held.iter().any(|r| allowed.contains(r)),
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
    }
}
