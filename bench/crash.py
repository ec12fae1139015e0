#!/usr/bin/env python3
"""Crash test: `keikaku serve` killed with SIGKILL while API editors save, and the check that
no acknowledged edit was lost and none was invented.

Driven by bench/crash.sh, in two steps (standard library only, Python 3.9+):

  run    start the server, sign every editor in and make each an API token (the staff form
         /staff/tokens), move the comprehensive plan to 審議中 (the staff status form, as
         bench/edit_load.py does); then start the editors (GET an element, PUT it back with a
         unique marker in 展開方法) and, round after round, kill the server with SIGKILL after
         a random (seeded) delay, restart it on the same database and wait for /healthz; take a
         `keikaku backup` in the middle of the load; finally stop the server with SIGTERM and
         write every PUT's outcome to a JSON file.
  check  with the server stopped: read the audit log and the edited elements straight from
         the database, run `keikaku audit verify`, SQLite's integrity check, restore the backup
         into a fresh SQLite database and check it; print the report, exit 2 on any failure.

Every PUT carries a unique marker (耐障害試験E03-0042: editor 03, its 42nd save) at the head of
展開方法 (course_of_action). A PUT is *acknowledged* when a 2xx answer was read; a PUT whose
connection broke before an answer (the kill) has an unknown outcome: it may be in the log or
not, and both are fine. A PUT refused with 409, or never sent (connection refused), must not be.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edit_load import ELEMENTS, PLAN, Client, hidden, sign_in  # noqa: E402

MARKER_RE = re.compile(r"耐障害試験E\d{2}-\d{4}")
TIMEOUT = 15.0
FIELD = "course_of_action"


def log(msg):
    print(f"[crash] {msg}", file=sys.stderr, flush=True)


def die(msg):
    log(f"error: {msg}")
    sys.exit(1)


def editor_login(n):
    return f"crash-editor-{n:02d}"


def strip(text):
    """展開方法 without a previous save's 【marker】 prefix."""
    return re.sub(r"^【" + MARKER_RE.pattern + "】", "", text or "")


# ----------------------------------------------------------------------------- the server


class Server:
    """`keikaku serve` on one database, started, killed and restarted on the same address."""

    def __init__(self, args):
        self.args = args
        self.proc = None
        self.starts = 0
        host, port = args.addr.rsplit(":", 1)
        self.host, self.port = host, int(port)

    def start(self):
        self.starts += 1
        logf = open(self.args.server_log, "ab")
        logf.write(f'{{"crash":"start {self.starts}","at":{time.time():.3f}}}\n'.encode())
        logf.flush()
        env = dict(os.environ, KEIKAKU_LOG="warn", KEIKAKU_LOG_FORMAT="json")
        self.proc = subprocess.Popen(
            [self.args.bin, "serve", "--addr", self.args.addr, "--database", self.args.database],
            stdout=logf,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl-C goes to the driver, which stops the server
        )
        logf.close()
        with open(self.args.pidfile, "w") as f:
            f.write(f"{self.proc.pid}\n")

    def healthy(self):
        try:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def wait_healthy(self, limit=60.0):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                die(f"keikaku serve exited with {self.proc.returncode} before /healthz answered (see {self.args.server_log})")
            if self.healthy():
                return
            time.sleep(0.02)
        die(f"/healthz did not answer within {limit:.0f}s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        return self.proc.returncode

    def stop(self):
        """SIGTERM (graceful shutdown), SIGKILL after 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "killed after 10 s"


# ----------------------------------------------------------------------------- the API


class Api:
    """One API client: a keep-alive connection and a bearer token."""

    def __init__(self, host, port, token):
        self.host, self.port, self.token = host, port, token
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None):
        """(sent, status, parsed body). sent=False: no connection could be made, so nothing
        reached the server. Any other failure raises, with sent in the exception."""
        if self.conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            try:
                conn.connect()
            except OSError as e:
                conn.close()
                return False, None, f"{type(e).__name__}"
            self.conn = conn
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except Exception:
            self.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")[:300]
        return True, response.status, parsed


class Editor(threading.Thread):
    def __init__(self, n, token, args, host, port, stop, seed):
        super().__init__(name=f"editor-{n:02d}", daemon=True)
        self.n = n
        self.login = editor_login(n)
        self.api = Api(host, port, token)
        self.args = args
        self.stop_event = stop
        self.rng = random.Random(seed)
        self.seq = 0
        self.puts = []  # one per PUT attempt
        self.gets = {"ok": 0, "refused": 0, "broken": 0, "timeout": 0, "unexpected": 0}
        self.unexpected = []  # (what, status, body)
        self.in_put = False

    def pause(self):
        self.stop_event.wait(self.rng.uniform(0.02, 0.08))

    def run(self):
        while not self.stop_event.is_set():
            element = self.rng.choice(ELEMENTS)
            path = f"/api/v1/plans/{PLAN}/elements/{element}"
            try:
                sent, status, body = self.api.request("GET", path)
            except (OSError, http.client.HTTPException) as e:
                self.gets["timeout" if isinstance(e, socket.timeout) else "broken"] += 1
                self.pause()
                continue
            if not sent:
                self.gets["refused"] += 1
                self.pause()
                continue
            if status != 200 or not isinstance(body, dict) or "version" not in body:
                self.gets["unexpected"] += 1
                self.unexpected.append(("GET " + element, status, str(body)[:300]))
                self.pause()
                continue
            self.gets["ok"] += 1
            self.stop_event.wait(self.rng.uniform(0, self.args.think_ms / 1000))  # typing
            self.seq += 1
            marker = f"耐障害試験E{self.n:02d}-{self.seq:04d}"
            fields = dict(body["fields"])
            base = fields.get(FIELD, "")
            fields[FIELD] = f"【{marker}】" + strip(base)
            put = {
                "editor": self.login,
                "element": element,
                "marker": marker,
                "version": body["version"],
                "base": base,
                "text": fields[FIELD],
                "outcome": None,
                "status": None,
                "error": None,
                "t0": time.time(),
            }
            self.in_put = True
            try:
                sent, status, answer = self.api.request(
                    "PUT", path, {"version": body["version"], "fields": fields}
                )
                if not sent:
                    put["outcome"] = "refused"  # never reached the server
                elif 200 <= status < 300:
                    put["outcome"] = "ack"
                    # The answer should be the element as this PUT saved it.
                    if isinstance(answer, dict):
                        put["answer_version"] = answer.get("version")
                        put["answer_text"] = answer.get("fields", {}).get(FIELD)
                elif status == 409:
                    put["outcome"] = "conflict"
                else:
                    put["outcome"] = "unexpected"
                    self.unexpected.append((f"PUT {marker}", status, str(answer)[:300]))
                put["status"] = status
            except (OSError, http.client.HTTPException) as e:
                # The request may or may not have been written: its outcome is unknown.
                put["outcome"] = "timeout" if isinstance(e, socket.timeout) else "no answer"
                put["error"] = f"{type(e).__name__}: {e}"
            finally:
                self.in_put = False
            put["t1"] = time.time()
            self.puts.append(put)
            if put["outcome"] in ("refused", "no answer"):
                self.pause()
        self.api.close()


# ----------------------------------------------------------------------------- run


def setup(args, server):
    """Tokens for every editor, and the plan in 審議中. Returns (tokens, initial elements)."""
    base = f"http://{args.addr}"
    tokens = {}
    staff = None
    for n in range(1, args.editors + 1):
        client = Client(base)
        sign_in(client, editor_login(n), args.password)
        status, _, page = client.request("GET", "/staff/tokens")
        csrf = hidden(page, "csrf")
        if status != 200 or not csrf:
            die(f"GET /staff/tokens answered {status} without a CSRF token")
        status, _, page = client.request(
            "POST", "/staff/tokens", {"csrf": csrf, "name": "耐障害試験", "expires_in_days": "1"}
        )
        m = re.search(r'id="token-secret" type="text" value="(kk_[^"]+)"', page)
        if status != 200 or not m:
            die(f"POST /staff/tokens for {editor_login(n)} answered {status} without a token: {page[:300]}")
        tokens[n] = m.group(1)
        if staff is None:
            staff = client
        else:
            client.close()
    status, _, page = staff.request("GET", "/staff")
    csrf = hidden(page, "csrf")
    status, _, page = staff.request(
        "POST",
        f"/staff/plans/{PLAN}/status",
        {"csrf": csrf, "from": "published", "to": "under_deliberation", "confirm": "yes"},
    )
    if status != 303:
        die(f"moving {PLAN} to under_deliberation answered {status}: {page[:300]}")
    staff.close()
    api = Api(server.host, server.port, tokens[1])
    initial = {}
    for element in ELEMENTS:
        sent, status, body = api.request("GET", f"/api/v1/plans/{PLAN}/elements/{element}")
        if status != 200 or not body.get("editable"):
            die(f"GET {element} through the API answered {status}, editable={body.get('editable') if isinstance(body, dict) else None}")
        initial[element] = {"version": body["version"], "fields": body["fields"]}
    api.close()
    log(f"{args.editors} editors signed in with an API token each; {PLAN}: published -> under_deliberation")
    return tokens, initial


def sqlite_check(path, what="integrity_check"):
    try:
        db = sqlite3.connect(path, timeout=30)
        rows = [r[0] for r in db.execute(f"PRAGMA {what}")]
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        db.close()
    except sqlite3.Error as e:
        return f"{type(e).__name__}: {e}"
    result = "; ".join(str(r) for r in rows)
    if fk:
        result += f"; foreign_key_check: {len(fk)} rows, first {fk[0]}"
    return result


def check_copy(path):
    """quick_check on a copy of the database as the kill left it (file and write-ahead log), so
    that the restarted server, not this check, recovers the original."""
    scratch = path + ".after-kill"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(scratch + suffix):
            os.remove(scratch + suffix)
    shutil.copyfile(path, scratch)
    if os.path.exists(path + "-wal"):
        shutil.copyfile(path + "-wal", scratch + "-wal")
    try:
        return sqlite_check(scratch, "quick_check")
    finally:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(scratch + suffix):
                os.remove(scratch + suffix)


def cmd_run(args):
    rng = random.Random(args.seed)
    host, port = args.addr.rsplit(":", 1)
    server = Server(args)
    t_start = time.monotonic()
    server.start()
    try:
        server.wait_healthy()
        tokens, initial = setup(args, server)
        stop = threading.Event()
        editors = [
            Editor(n, tokens[n], args, host, int(port), stop, seed=args.seed * 1000 + n)
            for n in range(1, args.editors + 1)
        ]
        for e in editors:
            e.start()
        rounds = []
        backup = {}
        backup_round = args.backup_round if args.backup else 0

        def take_backup():
            t0 = time.monotonic()
            p = subprocess.run(
                [args.bin, "backup", "-o", args.backup, "--database", args.database],
                capture_output=True,
                text=True,
                env=dict(os.environ, KEIKAKU_LOG="warn"),
            )
            backup.update(rc=p.returncode, seconds=round(time.monotonic() - t0, 2),
                          stderr=p.stderr.strip()[-500:], at=time.time())

        backup_thread = None
        ready_at = time.time()
        for i in range(1, args.kills + 1):
            delay = rng.uniform(args.min_delay, args.max_delay)
            if i == backup_round:
                backup_thread = threading.Thread(target=take_backup, daemon=True)
                backup_thread.start()
            time.sleep(delay)
            in_flight = sum(1 for e in editors if e.in_put)
            killed_at = time.time()
            rc = server.kill()
            integrity = check_copy(args.sqlite) if args.sqlite else None
            server.start()
            server.wait_healthy()
            back_at = time.time()
            rounds.append({
                "round": i, "delay_s": round(delay, 3), "ready_at": ready_at,
                "killed_at": killed_at, "back_at": back_at, "exit": rc,
                "puts_in_flight": in_flight, "integrity_after_kill": integrity,
                "restart_ms": round((back_at - killed_at) * 1000),
            })
            log(f"round {i}/{args.kills}: SIGKILL after {delay:.2f}s ({in_flight} PUTs in flight), "
                f"back after {(back_at - killed_at) * 1000:.0f} ms"
                + (f", quick_check: {integrity}" if integrity is not None else ""))
            ready_at = back_at
        time.sleep(args.tail)  # the editors carry on against the restarted server
        stop.set()
        for e in editors:
            e.join(timeout=2 * TIMEOUT + 5)
        stuck = [e.login for e in editors if e.is_alive()]
        if backup_thread is not None:
            backup_thread.join(timeout=120)
        # What the restarted server serves, for the check against the log.
        api = Api(server.host, server.port, tokens[1])
        served = {}
        for element in ELEMENTS:
            _, status, body = api.request("GET", f"/api/v1/plans/{PLAN}/elements/{element}")
            served[element] = body if status == 200 else {"status": status, "body": body}
        api.close()
        stopped = server.stop()
    finally:
        server.stop()
        if os.path.exists(args.pidfile):
            os.remove(args.pidfile)  # the shell's cleanup must not signal a reused pid
    result = {
        "seed": args.seed,
        "editors": args.editors,
        "kills": args.kills,
        "seconds": round(time.monotonic() - t_start, 1),
        "started_load_at": rounds[0]["ready_at"] if rounds else None,
        "stopped_at": time.time(),
        "final_stop": stopped,
        "rounds": rounds,
        "backup": backup,
        "initial": initial,
        "served": served,
        "stuck_editors": stuck,
        "puts": [p for e in editors for p in e.puts],
        "gets": {k: sum(e.gets[k] for e in editors) for k in editors[0].gets},
        "unexpected": [u for e in editors for u in e.unexpected],
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    log(f"load finished: {len(result['puts'])} PUTs, {len(rounds)} kills")


# ----------------------------------------------------------------------------- check


def read_sqlite(path):
    db = sqlite3.connect(path, timeout=30)
    db.row_factory = sqlite3.Row
    audit = [dict(r) for r in db.execute("SELECT * FROM audit_entry ORDER BY municipality_code, sequence")]
    ids = ", ".join(f"'{e}'" for e in ELEMENTS)
    elements = {
        r["id"]: dict(r)
        for r in db.execute(f"SELECT id, title, course_of_action, version FROM plan_element "
                            f"WHERE plan_id = '{PLAN}' AND id IN ({ids})")
    }
    db.close()
    return audit, elements


def read_postgres(url):
    def psql(sql):
        out = subprocess.run(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
            capture_output=True, text=True, check=True,
        ).stdout
        return json.loads(out)

    audit = psql("SELECT coalesce(json_agg(row_to_json(a) ORDER BY municipality_code, sequence), '[]') "
                 "FROM audit_entry a")
    ids = ", ".join(f"'{e}'" for e in ELEMENTS)
    rows = psql("SELECT coalesce(json_agg(json_build_object('id', id, 'title', title, "
                "'course_of_action', course_of_action, 'version', version)), '[]') "
                f"FROM plan_element WHERE plan_id = '{PLAN}' AND id IN ({ids})")
    return audit, {r["id"]: r for r in rows}


def keikaku(args, *argv):
    p = subprocess.run([args.bin, *argv], capture_output=True, text=True,
                       env=dict(os.environ, KEIKAKU_LOG="warn"))
    return p.returncode, (p.stdout + p.stderr).strip().replace("\n", " ")


def element_history(audit):
    """element.update entries on the edited elements, per element, in order."""
    out = {e: [] for e in ELEMENTS}
    for a in audit:
        if a["action"] != "element.update" or not a["target"].startswith(f"{PLAN}/"):
            continue
        element = a["target"].split("/", 1)[1]
        a["after_obj"] = json.loads(a["after_value"]) if a["after_value"] else {}
        a["before_obj"] = json.loads(a["before_value"]) if a["before_value"] else {}
        a["markers"] = MARKER_RE.findall((a["after_obj"].get(FIELD) or ""))
        out.setdefault(element, []).append(a)
    return out


def cmd_check(args):
    res = json.load(open(args.results, encoding="utf-8"))
    problems = []

    def problem(check, message):
        problems.append((check, message))

    audit, stored = read_sqlite(args.sqlite) if args.sqlite else read_postgres(args.postgres)
    raw_audit = [dict(a) for a in audit]  # the rows as stored (element_history adds keys)
    history = element_history(audit)
    entries = [a for h in history.values() for a in h]
    puts = res["puts"]
    by_marker = {p["marker"]: p for p in puts}
    outcome = {}
    for p in puts:
        outcome[p["outcome"]] = outcome.get(p["outcome"], 0) + 1
    acked = [p for p in puts if p["outcome"] == "ack"]
    unknown = [p for p in puts if p["outcome"] in ("no answer", "timeout")]
    in_log = {}
    for a in entries:
        for m in a["markers"]:
            in_log.setdefault(m, []).append(a)

    # lost: an acknowledged PUT without exactly one entry carrying its marker
    lost = [p for p in acked if p["marker"] not in in_log]
    for p in lost:
        problem("lost", f"{p['marker']} ({p['element']}, v{p['version']}) was acknowledged but is not in the audit log")
    for m, found in in_log.items():
        if len(found) > 1:
            problem("doubled", f"{m} is in {len(found)} audit entries (#{', #'.join(str(a['sequence']) for a in found)})")
    # invented: an entry whose marker no editor sent, or sent but refused (409) or never sent
    invented = []
    for a in entries:
        p = by_marker.get(a["markers"][0]) if len(a["markers"]) == 1 else None
        if p is None or p["outcome"] not in ("ack", "no answer", "timeout"):
            invented.append(a)
            why = "no editor sent it" if p is None else f"its PUT got {p['outcome']}"
            problem("invented", f"entry #{a['sequence']} ({a['target']}, markers {a['markers']}): {why}")
        elif a["target"] != f"{PLAN}/{p['element']}" or a["actor"] != p["editor"] or a["after_obj"].get(FIELD) != p["text"]:
            problem("invented", f"entry #{a['sequence']} carries {p['marker']} but target {a['target']}, actor {a['actor']}, text differs")
    saved_unanswered = [p for p in unknown if p["marker"] in in_log]
    # per element: a chain of saves from the imported element to the stored one
    for element in ELEMENTS:
        h = history.get(element, [])
        init = res["initial"][element]
        prev = init["fields"]
        for a in h:
            p = by_marker.get(a["markers"][0]) if a["markers"] else None
            if (a["before_obj"].get(FIELD) or "") != (prev.get(FIELD) or ""):
                problem("chain", f"{element}: entry #{a['sequence']} replaced {str(a['before_obj'].get(FIELD))[:30]!r}, the previous save left {str(prev.get(FIELD))[:30]!r}")
            if p and (a["before_obj"].get(FIELD) or "") != (p["base"] or ""):
                problem("chain", f"{element}: {p['marker']} was made from {p['base'][:30]!r} but replaced {str(a['before_obj'].get(FIELD))[:30]!r} (overwrite)")
            if p and p["version"] != init["version"] + h.index(a):
                problem("chain", f"{element}: {p['marker']} was sent for v{p['version']}, but it is save {h.index(a) + 1} from v{init['version']}")
            prev = a["after_obj"]
        row = stored.get(element)
        want = {k: v for k, v in prev.items() if k in init["fields"]}
        if row is None:
            problem("stored", f"{element} is no longer stored")
            continue
        if row["version"] != init["version"] + len(h):
            problem("stored", f"{element}: stored version {row['version']}, expected {init['version']} + {len(h)} saves")
        for f in ("title", FIELD):
            if (row[f] or "") != (want.get(f) or ""):
                problem("stored", f"{element}: stored {f} (…{str(row[f])[-24:]!r}, {len(row[f] or '')} chars) is not the last audited one (…{str(want.get(f))[-24:]!r}, {len(want.get(f) or '')} chars)")
        served = res["served"].get(element, {})
        if served.get("fields") != want or served.get("version") != row["version"]:
            problem("stored", f"{element}: the restarted server served v{served.get('version')} {str(served.get('fields'))[:80]} instead of the last audited change")

    # the hash chain, and SQLite's own check
    verify_rc, verify_out = keikaku(args, "audit", "verify", "--database", args.database)
    if verify_rc != 0:
        problem("verify", f"keikaku audit verify exited {verify_rc}: {verify_out[:300]}")
    integrity = None
    kill_checks = [r["integrity_after_kill"] for r in res["rounds"] if r["integrity_after_kill"] is not None]
    if args.sqlite:
        integrity = sqlite_check(args.sqlite)
        if integrity != "ok":
            problem("integrity", f"PRAGMA integrity_check: {integrity[:300]}")
        for r in res["rounds"]:
            if r["integrity_after_kill"] != "ok":
                problem("integrity", f"round {r['round']}: PRAGMA quick_check right after the kill: {r['integrity_after_kill']}")

    # the backup taken during the load: restores, verifies, and is one consistent moment
    b = res["backup"]
    backup_line = "not taken"
    if args.backup:
        if b.get("rc") != 0:
            problem("backup", f"keikaku backup exited {b.get('rc')}: {b.get('stderr')}")
        else:
            target = f"sqlite://{args.restore_db}"
            rc, out = keikaku(args, "restore", args.backup, "--database", target)
            if rc != 0:
                problem("backup", f"keikaku restore exited {rc}: {out[:300]}")
            else:
                vrc, vout = keikaku(args, "audit", "verify", "--database", target)
                if vrc != 0:
                    problem("backup", f"audit verify on the restored database exited {vrc}: {vout[:300]}")
                r_integrity = sqlite_check(args.restore_db)
                if r_integrity != "ok":
                    problem("backup", f"integrity_check on the restored database: {r_integrity[:300]}")
                r_audit, r_stored = read_sqlite(args.restore_db)
                prefix = r_audit == raw_audit[: len(r_audit)]
                if not prefix:
                    first = next((i for i, (x, y) in enumerate(zip(r_audit, raw_audit)) if x != y), len(raw_audit))
                    problem("backup", f"the backup's audit log is not a prefix of the final one (first difference at entry {first + 1} of {len(r_audit)})")
                r_history = element_history(r_audit)
                for element in ELEMENTS:
                    h = r_history.get(element, [])
                    last = h[-1]["after_obj"] if h else res["initial"][element]["fields"]
                    row = r_stored.get(element)
                    init = res["initial"][element]
                    if row is None or row["version"] != init["version"] + len(h) or (row[FIELD] or "") != (last.get(FIELD) or ""):
                        problem("backup", f"{element} in the backup is not its last audited change in the backup (not one consistent moment)")
                r_edits = sum(len(h) for h in r_history.values())
                backup_line = (f"{b['seconds']} s during round {args.backup_round}, {len(r_audit)} audit entries "
                               f"({r_edits} of the load's edits); restored into SQLite, audit verify "
                               f"{'ok' if vrc == 0 else 'FAILED'}, integrity {r_integrity}, prefix of the final log "
                               f"{'yes' if prefix else 'NO'}")

    # the server log: no ERROR line, no panic
    errors = []
    if os.path.exists(args.server_log):
        for line in open(args.server_log, encoding="utf-8", errors="replace"):
            line = line.strip()
            if not line or line.startswith('{"crash":'):
                continue
            try:
                level = json.loads(line).get("level", "")
            except ValueError:
                level = "ERROR"  # not a JSON log line: a panic or a startup failure
            if level == "ERROR":
                errors.append(line)
    for line in errors[:5]:
        problem("server log", line[:300])

    # the answer to an acknowledged PUT is the element as that PUT saved it
    stale = [p for p in acked
             if p.get("answer_version") != p["version"] + 1 or p.get("answer_text") != p["text"]]
    for p in stale[:5]:
        shown = MARKER_RE.findall(p.get("answer_text") or "")
        problem("answer", f"{p['marker']} saved {p['element']} v{p['version']}->v{p['version'] + 1}, but its 200 answer showed "
                          f"v{p.get('answer_version')} with {shown[0] if shown else 'other text'} (a later save, read after the commit)")
    if len(stale) > 5:
        problem("answer", f"… and {len(stale) - 5} more")

    # the run itself
    for what, status, body in res["unexpected"][:10]:
        problem("unexpected", f"{what}: {status} {body}")
    if len(res["unexpected"]) > 10:
        problem("unexpected", f"… and {len(res['unexpected']) - 10} more")
    if res["stuck_editors"]:
        problem("unexpected", f"editors still waiting for an answer at the end: {res['stuck_editors']}")
    timeouts = outcome.get("timeout", 0) + res["gets"]["timeout"]
    if timeouts:
        problem("unexpected", f"{timeouts} requests got no answer within {TIMEOUT:.0f} s")
    windows = []
    bounds = [(r["ready_at"], r["killed_at"]) for r in res["rounds"]]
    if res["rounds"]:
        bounds.append((res["rounds"][-1]["back_at"], res["stopped_at"]))
    for i, (t0, t1) in enumerate(bounds, 1):
        n = sum(1 for p in acked if t0 <= p["t1"] <= t1)
        windows.append(n)
        if n == 0:
            problem("unexpected", f"no edit was acknowledged in window {i} (between restarts): the editors did not carry on")
    if len(res["rounds"]) != args.kills:
        problem("unexpected", f"{len(res['rounds'])} kills instead of {args.kills}")

    conn_errors = (outcome.get("refused", 0) + outcome.get("no answer", 0)
                   + res["gets"]["refused"] + res["gets"]["broken"])
    restart = [r["restart_ms"] for r in res["rounds"]]
    total = time.time() - args.started if args.started else None
    failed = sorted({c for c, _ in problems})
    ok = not problems

    w = []
    p = w.append
    p(f"== {args.backend} ==")
    delays = ", ".join(f"{r['delay_s']:.2f}" for r in res["rounds"])
    p(f"seed {res['seed']}: {res['editors']} API editors on {len(ELEMENTS)} measures, "
      f"{len(res['rounds'])} SIGKILLs after {delays} s")
    p(f"PUTs in flight at each kill: {[r['puts_in_flight'] for r in res['rounds']]}; restart to /healthz: "
      f"median {statistics.median(restart) if restart else 0:.0f} ms, max {max(restart) if restart else 0} ms")
    p(f"PUTs: {len(puts)} — acknowledged {len(acked)}, conflicts (409) {outcome.get('conflict', 0)}, "
      f"no answer (connection broken by the kill) {outcome.get('no answer', 0)} (of which in the log: {len(saved_unanswered)}), "
      f"refused before sending {outcome.get('refused', 0)}, unexpected {outcome.get('unexpected', 0)}, timeouts {outcome.get('timeout', 0)}")
    p(f"acknowledged PUTs whose 200 answer was not the element as saved: {len(stale)}")
    p(f"GETs: {res['gets']['ok']} ok, connection refused {res['gets']['refused']}, broken {res['gets']['broken']}, "
      f"unexpected {res['gets']['unexpected']}")
    p(f"acknowledged per window between kills: {windows}")
    p(f"audit log: {len(audit)} entries, {len(entries)} element.update on the edited measures; "
      f"per element: {', '.join(f'{e} {len(history.get(e, []))}' for e in ELEMENTS)}")
    p(f"audit verify: {verify_out}")
    if args.sqlite:
        p(f"integrity_check: {integrity}; quick_check after each kill: "
          f"{sum(1 for c in kill_checks if c == 'ok')}/{len(kill_checks)} ok")
    p(f"backup: {backup_line}")
    p(f"server log: {len(errors)} ERROR lines; final stop: exit {res['final_stop']}")
    if problems:
        p("problems:")
        for c, m in problems[:30]:
            p(f"  [{c}] {m}")
        if len(problems) > 30:
            p(f"  … and {len(problems) - 30} more")
    p(f"{args.backend}: {'PASS' if ok else 'FAIL (' + ', '.join(failed) + ')'}")
    summary = {
        "backend": args.backend,
        "kills": len(res["rounds"]),
        "acknowledged": len(acked),
        "in_audit_log": len(entries),
        "lost": len(lost),
        "invented": len(invented),
        "conflicts": outcome.get("conflict", 0),
        "conn_errors": conn_errors,
        "stale_answers": len(stale),
        "unanswered_saved": f"{len(saved_unanswered)}/{len(unknown)}",
        "verify": "ok" if verify_rc == 0 else "FAIL",
        "integrity": ("ok" if integrity == "ok" and all(c == "ok" for c in kill_checks) else "FAIL") if args.sqlite else "n/a",
        "backup": "-" if not args.backup else ("ok" if not [c for c, _ in problems if c == "backup"] else "FAIL"),
        "seconds": round(total) if total is not None else res["seconds"],
        "verdict": "PASS" if ok else "FAIL",
    }
    print("\n".join(w))
    with open(args.summary, "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False)
    sys.exit(0 if ok else 2)


def cmd_table(args):
    """One line per backend, from the check step's summaries."""
    cols = [("backend", "backend"), ("kills", "kills"), ("acknowledged", "acked"),
            ("in_audit_log", "in log"), ("lost", "lost"), ("invented", "invented"),
            ("conflicts", "409s"), ("conn_errors", "conn errors"), ("stale_answers", "stale 200s"),
            ("unanswered_saved", "unanswered saved"), ("verify", "audit verify"),
            ("integrity", "integrity"), ("backup", "backup"), ("seconds", "seconds"),
            ("verdict", "verdict")]
    rows = [json.load(open(f, encoding="utf-8")) for f in args.summaries]
    widths = [max(len(h), *(len(str(r[k])) for r in rows)) for k, h in cols]
    print("  ".join(h.rjust(w) for (_, h), w in zip(cols, widths)))
    for r in rows:
        print("  ".join(str(r[k]).rjust(w) for (k, _), w in zip(cols, widths)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--bin", required=True)
    r.add_argument("--database", required=True)
    r.add_argument("--sqlite", help="the SQLite file, for a quick_check after each kill")
    r.add_argument("--addr", required=True)
    r.add_argument("--password", required=True)
    r.add_argument("--editors", type=int, default=8)
    r.add_argument("--kills", type=int, default=10)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--min-delay", type=float, default=1.0)
    r.add_argument("--max-delay", type=float, default=4.0)
    r.add_argument("--think-ms", type=float, default=50)
    r.add_argument("--tail", type=float, default=2.0, help="seconds of editing after the last restart")
    r.add_argument("--backup", help="take `keikaku backup -o FILE` during the load")
    r.add_argument("--backup-round", type=int, default=0)
    r.add_argument("--server-log", required=True)
    r.add_argument("--pidfile", required=True)
    r.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--backend", required=True)
    c.add_argument("--bin", required=True)
    c.add_argument("--database", required=True)
    g = c.add_mutually_exclusive_group(required=True)
    g.add_argument("--sqlite")
    g.add_argument("--postgres")
    c.add_argument("--results", required=True)
    c.add_argument("--server-log", required=True)
    c.add_argument("--kills", type=int, required=True)
    c.add_argument("--backup")
    c.add_argument("--backup-round", type=int, default=0)
    c.add_argument("--restore-db", help="a fresh SQLite file to restore the backup into")
    c.add_argument("--started", type=float)
    c.add_argument("--summary", required=True)
    t = sub.add_parser("table")
    t.add_argument("summaries", nargs="+")
    args = p.parse_args()
    {"run": cmd_run, "check": cmd_check, "table": cmd_table}[args.cmd](args)


if __name__ == "__main__":
    main()
