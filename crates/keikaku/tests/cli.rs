//! The command line as a user runs it: import, export, migrate, staff users, serving, errors
//! and exit codes.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

mod common;

use common::{Workdir, workdir};

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

/// Runs keikaku with the given standard input.
fn keikaku_with_input(dir: &Workdir, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(args)
        .current_dir(&dir.0)
        .env(
            "KEIKAKU_DATABASE_URL",
            format!("sqlite://{}/k.db", dir.0.display()),
        )
        .env("KEIKAKU_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that refuses its arguments exits without reading its input.
    if let Err(e) = child.stdin.take().unwrap().write_all(input.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
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

/// After a command the database file alone holds everything: SQLite's write-ahead log was
/// merged when the connections closed, so copying `k.db` is a complete backup.
#[test]
fn the_database_file_is_complete_when_a_command_ends() {
    let dir = workdir("wal");
    let out = keikaku(&dir, &["import", example_path().to_str().unwrap()]);
    assert!(out.status.success());
    let wal = dir.0.join("k.db-wal");
    let pending = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(pending, 0, "{} bytes left in the write-ahead log", pending);
    assert!(std::fs::metadata(dir.0.join("k.db")).unwrap().len() > 100_000);
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
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3), "{err}");
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

/// Several files on one command line are one import: a problem in any of them writes none,
/// and a strategy in the second file may link to the plan of the first.
#[test]
fn several_files_are_imported_all_or_nothing() {
    let dir = workdir("several");
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example_path()).unwrap()).unwrap();
    let part = |plan: usize| {
        let mut v = value.clone();
        v["plans"] = serde_json::Value::Array(vec![value["plans"][plan].clone()]);
        v
    };
    let ok = dir.0.join("ok.json");
    std::fs::write(&ok, serde_json::to_string_pretty(&part(0)).unwrap()).unwrap();
    let mut broken = part(1);
    broken["plans"][0]["period"]["start"] = "令和0年度".into();
    let bad = dir.0.join("bad.json");
    std::fs::write(&bad, serde_json::to_string_pretty(&broken).unwrap()).unwrap();

    let out = keikaku(
        &dir,
        &["import", ok.to_str().unwrap(), bad.to_str().unwrap()],
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("何も書き込んでいません"), "{err}");
    assert!(
        err.contains(&format!("{}: $.plans[0].period.start", bad.display())),
        "{err}"
    );
    // Nothing was written, the plan of ok.json included.
    let out = keikaku(&dir, &["export"]);
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Fixed, the same command line imports both, the links into the first file resolved.
    std::fs::write(&bad, serde_json::to_string_pretty(&part(1)).unwrap()).unwrap();
    let out = keikaku(
        &dir,
        &["import", ok.to_str().unwrap(), bad.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = keikaku(&dir, &["export"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        std::fs::read_to_string(example_path()).unwrap()
    );
    // The same plan in two files is refused at the second.
    let out = keikaku(
        &dir,
        &[
            "import",
            "--replace",
            ok.to_str().unwrap(),
            ok.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("にもあります"), "{err}");
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
    // Entry lines start with their number; the changes follow, indented.
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("4\t")
            && lines[0].contains("\tコマンドライン（サーバーの管理者）\t計画の置き換え\t計画「"),
        "{text}"
    );
    assert!(
        !lines[0].contains("sogo-senryaku"),
        "names, not ids: {text}"
    );
    assert!(
        lines[2].starts_with("2\t") && lines[2].contains("計画の取り込み"),
        "{text}"
    );
    assert!(text.contains("（4件中 1 / 2ページ）"), "{text}");
    // Filtered by what, and by dates in any form.
    let out = keikaku(&dir, &["audit", "list", "--action", "plan.import"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("（2件中 1 / 1ページ）"), "{text}");
    assert!(!text.contains("計画の置き換え"), "{text}");
    let out = keikaku(&dir, &["audit", "list", "--to", "平成27年3月31日"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("（0件中"));
    let out = keikaku(&dir, &["audit", "list", "--from", "令和7年13月1日"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("期間の開始日"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A workdir whose database holds the example.
fn with_example(name: &str) -> Workdir {
    let dir = workdir(name);
    let out = keikaku(&dir, &["import", example_path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

const ADD_SATO: &[&str] = &[
    "user",
    "add",
    "sato",
    "--name",
    "佐藤 花子",
    "--department",
    "企画政策課",
    "--admin",
    "--role",
    "planning_office",
    "--password-stdin",
];

#[test]
fn a_user_is_added_with_a_password_from_standard_input_and_listed() {
    let dir = with_example("user-add");
    let out = keikaku_with_input(&dir, ADD_SATO, "correct horse battery\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("sato"));
    let out = keikaku(&dir, &["user", "list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text, "sato\t佐藤 花子\t企画政策課\t管理者、企画担当\t有効\n",
        "{text}"
    );
    // Audited, without the password; the chain still verifies.
    let out = keikaku(&dir, &["audit", "list", "--limit", "1"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\t利用者の登録\t利用者「佐藤 花子」"),
        "{text}"
    );
    assert!(keikaku(&dir, &["audit", "verify"]).status.success());
    // A Windows line ending is not part of the password either.
    let out = keikaku_with_input(
        &dir,
        &[
            "user",
            "add",
            "suzuki",
            "--name",
            "鈴木",
            "--role",
            "member",
            "--password-stdin",
        ],
        "another long password\r\nsecond line ignored\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(keikaku(&dir, &["user", "list"]).stdout).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("suzuki\t鈴木\t\t委員\t有効"), "{text}");
}

#[test]
fn a_short_password_is_refused_with_the_rule() {
    let dir = with_example("user-short");
    let out = keikaku_with_input(&dir, ADD_SATO, "short\n");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("password") && err.contains("パスワードは12文字以上にしてください"),
        "{err}"
    );
    assert_eq!(keikaku(&dir, &["user", "list"]).stdout, b"");
}

#[test]
fn a_login_id_in_use_is_a_conflict() {
    let dir = with_example("user-dup");
    assert!(
        keikaku_with_input(&dir, ADD_SATO, "correct horse battery\n")
            .status
            .success()
    );
    let out = keikaku_with_input(&dir, ADD_SATO, "another long password\n");
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("「sato」") && err.contains("既に使われています"),
        "{err}"
    );
}

#[test]
fn user_add_explains_what_is_missing() {
    let dir = with_example("user-bad");
    // Not a terminal, and no --password-stdin.
    let out = keikaku(
        &dir,
        &["user", "add", "sato", "--name", "佐藤", "--role", "member"],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--password-stdin"), "{err}");
    // No role, a bad login id, an unknown municipality.
    let out = keikaku_with_input(
        &dir,
        &["user", "add", "sato", "--name", "佐藤", "--password-stdin"],
        "correct horse battery\n",
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("役割を1つ以上選んでください"));
    let out = keikaku_with_input(
        &dir,
        &[
            "user",
            "add",
            "Sato",
            "--name",
            "佐藤",
            "--admin",
            "--password-stdin",
        ],
        "correct horse battery\n",
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ログインID「Sato」"));
    let out = keikaku_with_input(
        &dir,
        &[
            "user",
            "add",
            "sato",
            "--name",
            "佐藤",
            "--admin",
            "--municipality",
            "01100",
            "--password-stdin",
        ],
        "correct horse battery\n",
    );
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server started by a test; stopped when dropped.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` over HTTP/1.1; the whole response as text.
fn http_get(port: u16, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Starts `keikaku serve` on a free port with these arguments and environment; the server,
/// its port, and the rest of its log.
fn serve(
    dir: &Workdir,
    args: &[&str],
    env: &[(&str, &str)],
) -> (
    Server,
    u16,
    std::io::Lines<BufReader<std::process::ChildStderr>>,
) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_keikaku"));
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .current_dir(&dir.0)
        .env(
            "KEIKAKU_DATABASE_URL",
            format!("sqlite://{}/k.db", dir.0.display()),
        )
        .env("KEIKAKU_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("KEIKAKU_SECURE_COOKIES")
        .env_remove("KEIKAKU_HTTPS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut server = Server(command.spawn().unwrap());
    // The log names the port the system chose.
    let stderr = server.0.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let port: u16 = loop {
        let line = lines
            .next()
            .expect("the server stopped before serving")
            .unwrap();
        if let Some(at) = line.find("serving on http://127.0.0.1:") {
            let rest = &line[at + "serving on http://127.0.0.1:".len()..];
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    (server, port, lines)
}

#[test]
fn serve_marks_cookies_secure_and_sends_hsts_over_https() {
    let dir = with_example("serve-secure");
    for (flag, env, secure) in [
        (None, None, false),
        (Some("--https"), None, true),
        (None, Some(("KEIKAKU_HTTPS", "true")), true),
        (None, Some(("KEIKAKU_HTTPS", "false")), false),
        // The former name.
        (Some("--secure-cookies"), None, true),
        (None, Some(("KEIKAKU_SECURE_COOKIES", "true")), true),
    ] {
        let (_server, port, _log) = serve(&dir, &Vec::from_iter(flag), &Vec::from_iter(env));
        let response = http_get(port, "/login");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        let head = response.to_ascii_lowercase();
        let cookie = head
            .lines()
            .find(|l| l.starts_with("set-cookie: keikaku_login_csrf="))
            .unwrap_or_else(|| panic!("{response}"));
        assert_eq!(
            cookie.contains("; secure"),
            secure,
            "{flag:?} {env:?}: {cookie}"
        );
        assert!(cookie.contains("httponly"), "{cookie}");
        assert_eq!(
            head.contains("\r\nstrict-transport-security: max-age=31536000\r\n"),
            secure,
            "{flag:?} {env:?}: {response}"
        );
    }
}

#[test]
fn serve_stops_within_the_grace_while_a_client_holds_a_half_sent_request() {
    let dir = with_example("serve-grace");
    // The header timeout is far away: only the grace can end the connection in time.
    let (mut server, port, log) = serve(
        &dir,
        &["--shutdown-grace", "1", "--header-timeout", "120"],
        &[],
    );
    let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(client, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Ag").unwrap();
    client.flush().unwrap();
    // The log after the port, until the process exits (its end of the pipe closes).
    let (done, exited) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rest: Vec<String> = log.map_while(Result::ok).collect();
        let _ = done.send(rest);
    });
    let started = std::time::Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let rest = exited
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the server was still running 20 s after SIGTERM (grace: 1 s)");
    let elapsed = started.elapsed();
    let status = server.0.wait().unwrap();
    let rest = rest.join("\n");
    assert!(status.success(), "{status:?}: {rest}");
    assert!(
        elapsed < std::time::Duration::from_secs(10),
        "stopped after {elapsed:?}: {rest}"
    );
    // Whether the half-sent request had been read when the signal came (then it is cut off
    // at the end of the grace) or not (then it is closed at once) is up to the scheduler;
    // either way the server stops in time and cleanly.
    assert!(rest.contains("stopped"), "{rest}");
    // The half-sent request got no answer; its connection is closed.
    let mut answer = String::new();
    let _ = client.read_to_string(&mut answer);
    assert_eq!(answer, "");
}

#[test]
fn serve_refuses_bad_limits_and_proxies() {
    let dir = workdir("serve-bad-limits");
    for args in [
        &["--header-timeout", "0"][..],
        &["--request-timeout", "soon"],
        &["--max-connections", "0"],
        &["--trusted-proxy", "proxy.example.jp"],
    ] {
        let out = keikaku(
            &dir,
            &[&["serve", "--addr", "127.0.0.1:0"][..], args].concat(),
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(args[0]), "{args:?}: {stderr}");
    }
    let out = keikaku_with_env(
        &dir,
        &["serve", "--addr", "127.0.0.1:0"],
        &[("KEIKAKU_TRUSTED_PROXIES", "127.0.0.1,nonsense")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nonsense"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn keikaku_with_env(dir: &Workdir, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_keikaku"));
    command
        .args(args)
        .current_dir(&dir.0)
        .env(
            "KEIKAKU_DATABASE_URL",
            format!("sqlite://{}/k.db", dir.0.display()),
        )
        .env("KEIKAKU_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}
