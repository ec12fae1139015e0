//! Who is signed in, for the header of every staff page. The route guard, which has just
//! read the session, runs the handler inside [`scope`]; `staff_layout` reads it back with
//! [`current`], so no page has to pass the user down and no session is read twice. Public
//! pages never read it: their HTML stays the same for everyone, and shared caches keep it.

use keikaku_app::auth::Signed;

use crate::views;

/// The signed-in user as the header shows them.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The display name.
    pub name: String,
    /// The roles, 「企画担当」, 「所管課（農政課）」…
    pub roles: String,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
}

tokio::task_local! {
    static SIGNED_IN: SignedIn;
}

/// Runs `f` with `signed` as the user the staff pages show.
pub(crate) async fn scope<F: Future>(signed: &Signed, f: F) -> F::Output {
    let roles = if signed.user.department.is_empty() {
        views::roles_label(&signed.user.roles)
    } else {
        format!(
            "{}（{}）",
            views::roles_label(&signed.user.roles),
            signed.user.department
        )
    };
    let who = SignedIn {
        name: signed.user.display_name.clone(),
        roles,
        csrf: signed.csrf.clone(),
    };
    SIGNED_IN.scope(who, f).await
}

/// The user of the request being answered, when a staff route's guard signed them in.
pub(crate) fn current() -> Option<SignedIn> {
    SIGNED_IN.try_with(Clone::clone).ok()
}
