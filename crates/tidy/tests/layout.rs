//! Checks that the layout stays what ARCHITECTURE.md says it is: the code map names every
//! crate and every module folder, the two backends' migrations stay in step, source files stay
//! small, and the crates that are yet to come have their places fixed (XLSX/CSV only in
//! `sheets`, PDF only in `reports`, the population projection pure in `projection`).
#![allow(clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn crate_folders() -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// The part of ARCHITECTURE.md about one crate: from the `### ` heading that names
/// `` `crates/NAME` `` to the next heading.
fn section<'a>(doc: &'a str, krate: &str) -> Option<&'a str> {
    let name = format!("`crates/{krate}`");
    let mut offset = 0;
    for line in doc.split_inclusive('\n') {
        offset += line.len();
        if line.starts_with("### ") && line.contains(&name) {
            let rest = &doc[offset..];
            let end = rest.find("\n### ").or_else(|| rest.find("\n## "));
            return Some(&rest[..end.unwrap_or(rest.len())]);
        }
    }
    None
}

#[test]
fn the_code_map_names_every_crate_and_module_folder() {
    let doc = fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    for krate in crate_folders() {
        let Some(text) = section(&doc, &krate) else {
            panic!("ARCHITECTURE.md has no `### `crates/{krate}`` section in its code map");
        };
        let src = root().join("crates").join(&krate).join("src");
        let Ok(entries) = fs::read_dir(&src) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if !path.is_dir() {
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            // Named in prose (`` `name/` ``) or in a code block of the folder tree (`  name/`).
            let named = text.contains(&format!("`{name}/`"))
                || text
                    .lines()
                    .any(|l| l.trim_start().starts_with(&format!("{name}/")));
            assert!(
                named,
                "ARCHITECTURE.md, section crates/{krate}: name the module folder `{name}/`"
            );
        }
    }
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = file_names(&root().join("crates/storage-sqlite/migrations"));
    let postgres = file_names(&root().join("crates/storage-postgres/migrations"));
    assert_eq!(
        sqlite, postgres,
        "every migration is written for both backends, under the same name"
    );
    assert!(!sqlite.is_empty());
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "target" || n == "tests")
            {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Files that grow by accretion get split by capability before they pass this.
const MAX_LINES: usize = 800;

#[test]
fn source_files_stay_small() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        // Unit tests at the bottom of a file do not count.
        let code = text.split("\n#[cfg(test)]").next().unwrap_or("");
        let lines = code.lines().count();
        assert!(
            lines <= MAX_LINES,
            "{}: {lines} lines outside tests; split it by capability (at most {MAX_LINES})",
            f.strip_prefix(root()).unwrap().display()
        );
    }
}

fn normal_dependencies(krate: &str) -> Vec<String> {
    let manifest = root().join("crates").join(krate).join("Cargo.toml");
    let doc: toml::Table = fs::read_to_string(&manifest).unwrap().parse().unwrap();
    doc.get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

/// Libraries that belong to one crate only: spreadsheets and CSV encodings in `sheets`, PDF
/// layout in `reports`.
const OWNED: &[(&str, &[&str])] = &[
    (
        "sheets",
        &[
            "rust_xlsxwriter",
            "calamine",
            "csv",
            "encoding_rs",
            "umya-spreadsheet",
        ],
    ),
    (
        "reports",
        &[
            "typst",
            "typst-pdf",
            "typst-layout",
            "printpdf",
            "genpdf",
            "lopdf",
        ],
    ),
];

#[test]
fn spreadsheets_and_pdfs_have_one_crate_each() {
    for krate in crate_folders() {
        if !root()
            .join("crates")
            .join(&krate)
            .join("Cargo.toml")
            .exists()
        {
            continue;
        }
        let deps = normal_dependencies(&krate);
        for (owner, libs) in OWNED {
            if krate == *owner {
                continue;
            }
            for lib in *libs {
                assert!(
                    !deps.iter().any(|d| d == lib),
                    "crates/{krate} depends on {lib}: that belongs in crates/{owner} only"
                );
            }
        }
    }
}

#[test]
fn the_projection_stays_pure() {
    // The population projection is arithmetic on numbers: like the domain, no IO, no async,
    // no serde, no database; it may use the domain's types.
    let dir = root().join("crates/projection");
    if !dir.join("Cargo.toml").exists() {
        return;
    }
    for dep in normal_dependencies("projection") {
        assert!(
            dep == "keikaku-domain",
            "crates/projection depends on {dep}; it stays pure (keikaku-domain at most)"
        );
    }
}
