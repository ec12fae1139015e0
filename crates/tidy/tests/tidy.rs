//! Checks the architecture invariants that can be checked mechanically. Each rule says why in
//! ARCHITECTURE.md; a failure message names the file and the rule.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Crate folder → normal (non-dev) dependencies.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.exists() {
            continue;
        }
        let doc: toml::Table = fs::read_to_string(&manifest).unwrap().parse().unwrap();
        let deps = doc
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        let lints = doc
            .get("lints")
            .and_then(|l| l.get("workspace"))
            .and_then(|w| w.as_bool());
        assert_eq!(
            lints,
            Some(true),
            "{}: every crate inherits [workspace.lints] (`[lints] workspace = true`)",
            manifest.display()
        );
        out.insert(
            dir.file_name().unwrap().to_string_lossy().into_owned(),
            deps,
        );
    }
    out
}

/// What each crate may depend on (normal dependencies). The crate graph is the architecture.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &["rust_decimal", "sha2"]),
    (
        "storage",
        &["async-trait", "keikaku-domain", "rust_decimal", "thiserror"],
    ),
    (
        "storage-sqlite",
        &[
            "async-trait",
            "keikaku-domain",
            "keikaku-storage",
            "rust_decimal",
            "sqlx",
            "tracing",
        ],
    ),
    (
        "storage-postgres",
        &[
            "async-trait",
            "keikaku-domain",
            "keikaku-storage",
            "rust_decimal",
            "sqlx",
            "tracing",
        ],
    ),
    (
        "storage-tests",
        &[
            "keikaku-domain",
            "keikaku-planfile",
            "keikaku-storage",
            "rust_decimal",
            "sqlx",
            "tokio",
        ],
    ),
    (
        "planfile",
        &[
            "keikaku-domain",
            "keikaku-projection",
            "rust_decimal",
            "serde",
            "serde_json",
            "utoipa",
        ],
    ),
    (
        "app",
        &[
            "argon2",
            "base64",
            "getrandom",
            "keikaku-domain",
            "keikaku-planfile",
            "keikaku-projection",
            "keikaku-sheets",
            "keikaku-storage",
            "rust_decimal",
            "serde_json",
            "sha2",
            "thiserror",
            "tokio",
            "tracing",
        ],
    ),
    (
        "web",
        &[
            "askama",
            "axum",
            "base64",
            "hyper",
            "hyper-util",
            "ipnet",
            "keikaku-app",
            "keikaku-domain",
            "keikaku-planfile",
            "percent-encoding",
            "rust_decimal",
            "serde",
            "serde_json",
            "sha2",
            "tokio",
            "tower",
            "tracing",
            "utoipa",
        ],
    ),
    (
        "keikaku",
        &[
            "axum",
            "clap",
            "indicatif",
            "keikaku-app",
            "keikaku-domain",
            "keikaku-storage",
            "keikaku-storage-postgres",
            "keikaku-storage-sqlite",
            "keikaku-web",
            "mimalloc",
            "rpassword",
            "tokio",
            "tracing",
            "tracing-subscriber",
        ],
    ),
    (
        "sheets",
        &[
            "calamine",
            "csv",
            "encoding_rs",
            "keikaku-domain",
            "rust_decimal",
            "rust_xlsxwriter",
        ],
    ),
    ("projection", &[]),
    ("tidy", &[]),
];

#[test]
fn crates_depend_only_on_what_the_architecture_allows() {
    let deps = dependencies();
    for (krate, actual) in &deps {
        let Some((_, allowed)) = ALLOWED.iter().find(|(k, _)| k == krate) else {
            panic!(
                "crate folder `{krate}` is not in ALLOWED: add it, and describe it in ARCHITECTURE.md"
            );
        };
        for dep in actual {
            assert!(
                allowed.contains(&dep.as_str()),
                "crates/{krate} depends on `{dep}`, which ARCHITECTURE.md does not allow there"
            );
        }
    }
}

#[test]
fn the_domain_stays_pure() {
    let deps = dependencies();
    let forbidden = [
        "serde",
        "sqlx",
        "tokio",
        "axum",
        "async-trait",
        "reqwest",
        "chrono",
        "tracing",
    ];
    for dep in &deps["domain"] {
        assert!(
            !forbidden.contains(&dep.as_str()),
            "keikaku-domain must not depend on {dep}"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect()
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn every_file_says_what_it_is_for() {
    for (path, text) in sources() {
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        assert!(
            first.starts_with("//!"),
            "{}: start the file with a `//!` line that says what it is for",
            rel(&path)
        );
    }
}

#[test]
fn no_ignored_tests_and_no_placeholders() {
    // Built from pieces so that this file does not trip its own rule.
    let banned = [
        ["#[", "ignore]"].concat(),
        ["todo", "!("].concat(),
        ["unimplemented", "!("].concat(),
        ["dbg", "!("].concat(),
    ];
    for (path, text) in sources() {
        for b in &banned {
            assert!(
                !text.contains(b.as_str()),
                "{}: `{b}` is not allowed (see ARCHITECTURE.md)",
                rel(&path)
            );
        }
    }
}

#[test]
fn sql_lives_only_in_storage_adapters() {
    let markers = [
        "SELECT ",
        "INSERT INTO",
        "DELETE FROM",
        "CREATE TABLE",
        "UPDATE ",
    ];
    for (path, text) in sources() {
        let r = rel(&path);
        if r.starts_with("crates/storage-sqlite/")
            || r.starts_with("crates/storage-postgres/")
            || r.starts_with("crates/storage-sqlx/")
            || r.starts_with("crates/tidy/")
        {
            continue;
        }
        for m in markers {
            let in_code = text.lines().any(|l| {
                let l = l.trim_start();
                !l.starts_with("//") && l.contains(&format!("\"{m}"))
            });
            assert!(
                !in_code,
                "{r}: SQL (`{m}`) belongs in a storage adapter crate"
            );
        }
    }
}

#[test]
fn configuration_is_read_only_by_the_binary() {
    let needles = ["env::var(", "env::var_os(", "env::vars("];
    for (path, text) in sources() {
        let r = rel(&path);
        // The conformance suite's support code finds the PostgreSQL test server as tests do.
        let allowed = r.starts_with("crates/keikaku/")
            || r.contains("/tests/")
            || r.starts_with("crates/storage-tests/")
            || r.starts_with("crates/tidy/");
        if allowed {
            continue;
        }
        for n in needles {
            assert!(
                !text.contains(n),
                "{r}: reads the environment (`{n}`); configuration is read only in crates/keikaku"
            );
        }
    }
}

#[test]
fn http_lives_only_in_the_web_crate_and_the_binary() {
    for (krate, deps) in dependencies() {
        if krate == "web" || krate == "keikaku" {
            continue;
        }
        for http in ["axum", "hyper", "tower", "tower-http", "askama"] {
            assert!(
                !deps.iter().any(|d| d == http),
                "crates/{krate} depends on {http}: HTTP lives in crates/web"
            );
        }
    }
}
