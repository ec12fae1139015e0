//! The command line as a user runs it: import, export, migrate, errors and exit codes.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

struct Workdir(PathBuf);

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn workdir(name: &str) -> Workdir {
    let dir = std::env::temp_dir().join(format!("keikaku-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Workdir(dir)
}

fn keikaku(dir: &Workdir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(args)
        .current_dir(&dir.0)
        .env(
            "KEIKAKU_DATABASE_URL",
            format!("sqlite://{}/k.db", dir.0.display()),
        )
        .env("KEIKAKU_LOG", "warn")
        .output()
        .unwrap()
}

fn example_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../planfile/examples/ichinoseki.json")
}

#[test]
fn import_then_export_gives_the_same_file() {
    let dir = workdir("roundtrip");
    let example = example_path();
    let out = keikaku(&dir, &["import", example.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = keikaku(&dir, &["export"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        std::fs::read_to_string(&example).unwrap()
    );
    // One plan only, to a file.
    let target = dir.0.join("strategy.json");
    let out = keikaku(
        &dir,
        &[
            "export",
            "--plan",
            "sogo-senryaku",
            "-o",
            target.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let text = std::fs::read_to_string(target).unwrap();
    assert!(
        text.contains("\"id\": \"sogo-senryaku\"") && !text.contains("\"id\": \"sogo-keikaku\"")
    );
}

#[test]
fn importing_the_same_plan_twice_is_refused_clearly() {
    let dir = workdir("twice");
    let example = example_path();
    assert!(
        keikaku(&dir, &["import", example.to_str().unwrap()])
            .status
            .success()
    );
    let out = keikaku(&dir, &["import", example.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("$.plans[0].id") && err.contains("既に登録されています"),
        "{err}"
    );
    assert!(err.contains("--replace"), "{err}");
    // With --replace it is accepted.
    let out = keikaku(&dir, &["import", "--replace", example.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_invalid_file_lists_every_error_and_writes_nothing() {
    let dir = workdir("invalid");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example_path()).unwrap()).unwrap();
    value["plans"][0]["vision"]["goals"][0]["id"] = "Goal One".into();
    value["plans"][0]["period"]["start"] = "令和0年度".into();
    value["plans"][1]["basic_objectives"][0]["measures"][0]["linked_measures"][0]["element"] =
        "no-such-measure".into();
    let file = dir.0.join("bad.json");
    std::fs::write(&file, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let out = keikaku(&dir, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    for path in ["$.plans[0].vision.goals[0].id", "$.plans[0].period.start"] {
        assert!(err.contains(path), "missing {path} in:\n{err}");
    }
    // Nothing was written: exporting finds no municipality.
    let out = keikaku(&dir, &["export"]);
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_database_url_and_missing_file_are_explained() {
    let dir = workdir("env");
    let out = Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["--database", "mysql://x", "migrate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite://"));
    let out = keikaku(&dir, &["import", "no-such-file.json"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.json"));
    let out = keikaku(&dir, &["migrate"]);
    assert!(out.status.success());
    assert!(dir.0.join("k.db").exists());
}

#[test]
fn every_import_is_audited_and_the_chain_verifies() {
    let dir = workdir("audit");
    let example = example_path();
    assert!(
        keikaku(&dir, &["import", example.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        keikaku(&dir, &["import", "--replace", example.to_str().unwrap()])
            .status
            .success()
    );
    let out = keikaku(&dir, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("4件"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = keikaku(&dir, &["audit", "list", "--limit", "3"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("4\t") && lines[0].contains("\tcli\tplan.replace\tsogo-senryaku"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("2\t") && lines[2].contains("plan.import"),
        "{text}"
    );
}
