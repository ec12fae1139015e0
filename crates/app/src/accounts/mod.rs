//! Accounts: sign-in with server-side sessions and the login limiter, the administrators'
//! management of users, and personal access tokens for the API.

pub mod auth;
mod limiter;
pub mod tokens;
pub mod users;
