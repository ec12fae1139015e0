//! Capabilities: a use case that changes data takes a capability value, and only the code
//! allowed to act holds one. The web transport has none yet (the public site is read-only);
//! accounts and roles will hand them out per user.

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
