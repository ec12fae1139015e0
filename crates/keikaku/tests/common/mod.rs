//! Shared helpers of the command-line tests: a scratch folder per test, removed afterwards.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

/// A test's scratch folder, removed when dropped.
pub struct Workdir(pub PathBuf);

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new empty scratch folder named after the test.
pub fn workdir(name: &str) -> Workdir {
    let dir = std::env::temp_dir().join(format!("keikaku-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Workdir(dir)
}
