#!/usr/bin/env python3
"""Editors and public readers at the same time against `keikaku serve`, and the lost-edit check.

Driven by bench/edit-load.sh, in three steps (standard library only, Python 3.9+):

  setup  sign in as the first editor, move the comprehensive plan from 公開 to 審議中 through
         the staff form (the public site keeps the published version), check every reader path
         answers 200 and record each edited element's form as it is before the load.
  run    sign in every editor, then start wrk (the public readers) and the editor threads
         together for the duration; write every request's outcome to a JSON file.
  check  (with the server stopped) read the audit log and the stored elements straight from
         the database and check that no edit was lost or invented; print the report.

Every save carries a unique marker (編集者07の保存0042) in its title and in its 展開方法,
so that each audit entry can be matched with the request that made it.
"""

import argparse
import html
import http.client
import json
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

PLAN = "sogo-keikaku"
# A small set of measures of the example, so that editors meet on the same element often.
ELEMENTS = [
    "measure-1-1-1",
    "measure-1-2-1",
    "measure-1-4-1",
    "measure-1-5-1",
    "measure-2-6-1",
]
# What the public readers fetch, in rotation (wrk, one Lua table).
READER_PATHS = [
    "/",
    "/plans/sogo-keikaku",
    "/plans/sogo-keikaku/vision",
    "/plans/sogo-keikaku/goals/goal-1",
    "/plans/sogo-keikaku/fields/field-1-1",
    "/plans/sogo-keikaku/measures/measure-1-1-1",
    "/plans/sogo-keikaku/measures/measure-1-2-1",
    "/plans/sogo-keikaku/measures/measure-1-4-1",
    "/plans/sogo-keikaku/measures/measure-1-5-1",
    "/plans/sogo-keikaku/measures/measure-2-6-1",
    "/plans/sogo-senryaku",
    "/search?q=" + urllib.parse.quote("子育て"),
]
MARKER_RE = re.compile(r"編集者\d{2}の保存\d{4}")
TIMEOUT = 30.0


def log(msg):
    print(f"[edit-load] {msg}", file=sys.stderr, flush=True)


def die(msg):
    log(f"error: {msg}")
    sys.exit(1)


def editor_login(n):
    return f"bench-editor-{n:02d}"


# ----------------------------------------------------------------------------- HTTP


class Client:
    """One browser: a keep-alive connection and a cookie jar (name -> value)."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.cookies = {}
        self.conn = None

    def _connect(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, form=None):
        """(status, headers as a list of pairs, body text). Follows no redirect."""
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn = self._connect()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        except Exception:
            self.close()
            raise
        pairs = response.getheaders()
        for name, value in pairs:
            if name.lower() == "set-cookie":
                first = value.split(";", 1)[0]
                if "=" in first:
                    k, v = first.split("=", 1)
                    if "max-age=0" in value.lower():
                        self.cookies.pop(k.strip(), None)
                    else:
                        self.cookies[k.strip()] = v.strip()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, pairs, text


def hidden(page, name):
    m = re.search(r'<input type="hidden" name="%s" value="([^"]*)"' % re.escape(name), page)
    return html.unescape(m.group(1)) if m else None


def sign_in(client, login, password):
    status, _, page = client.request("GET", "/login")
    if status != 200:
        raise RuntimeError(f"GET /login answered {status}")
    csrf = hidden(page, "csrf")
    if not csrf or "keikaku_login_csrf" not in client.cookies:
        raise RuntimeError("GET /login gave no CSRF token or cookie")
    status, _, page = client.request(
        "POST", "/login", {"login_id": login, "password": password, "csrf": csrf}
    )
    if status != 303 or "keikaku_session" not in client.cookies:
        raise RuntimeError(f"sign-in of {login} answered {status}: {page[:300]}")


def edit_form(page):
    """The edit form's hidden csrf and version, and every field's value (HTML-unescaped)."""
    m = re.search(r'<form class="edit-form".*?</form>', page, re.S)
    if not m:
        return None
    form = m.group(0)
    fields = {}
    for name, value in re.findall(
        r'<input type="text" id="field-[^"]*" name="([^"]+)" value="([^"]*)"', form
    ):
        fields[name] = html.unescape(value)
    for name, value in re.findall(
        r'<textarea id="field-[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        fields[name] = html.unescape(value)
    for name, body in re.findall(
        r'<select id="field-[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        sel = re.search(r'<option value="([^"]*)" selected>', body)
        fields[name] = html.unescape(sel.group(1)) if sel else ""
    links = None
    if 'name="links_present"' in form:
        links = [
            html.unescape(v)
            for v in re.findall(r'<input type="checkbox"[^>]* name="link" value="([^"]*)" checked>', form)
        ]
    return {
        "csrf": hidden(form, "csrf"),
        "version": hidden(form, "version"),
        "fields": fields,
        "links": links,
    }


def current_values(page):
    """On a 409 page: the text stored now, per field (the page shows it under each field)."""
    out = {}
    for chunk in page.split('<div class="form-field')[1:]:
        name = re.search(r'name="([^"]+)"', chunk)
        cur = re.search(r'<div class="current-value__text">(.*?)</div>', chunk, re.S)
        if name and cur:
            text = html.unescape(cur.group(1))
            out[name.group(1)] = "" if text == "（空欄）" else text
    return out


def form_pairs(form, fields):
    pairs = [("csrf", form["csrf"]), ("version", form["version"])]
    pairs += list(fields.items())
    if form["links"] is not None:
        pairs.append(("links_present", "1"))
        pairs += [("link", v) for v in form["links"]]
    return pairs


def strip_marker(text):
    """The 展開方法 without a previous editor's 【marker】 prefix."""
    return re.sub(r"^【" + MARKER_RE.pattern + "】", "", text)


# ----------------------------------------------------------------------------- setup


def cmd_setup(args):
    client = Client(args.base)
    sign_in(client, editor_login(1), args.password)
    status, _, page = client.request("GET", "/staff")
    csrf = hidden(page, "csrf")
    if status != 200 or not csrf:
        die(f"GET /staff answered {status} without a CSRF token")
    status, headers, page = client.request(
        "POST",
        f"/staff/plans/{PLAN}/status",
        {"csrf": csrf, "from": "published", "to": "under_deliberation", "confirm": "yes"},
    )
    if status != 303:
        die(f"moving {PLAN} to under_deliberation answered {status}: {page[:500]}")
    log(f"{PLAN}: published -> under_deliberation (through POST /staff/plans/{PLAN}/status)")
    initial = {}
    for element in ELEMENTS:
        status, _, page = client.request("GET", f"/staff/plans/{PLAN}/elements/{element}")
        form = edit_form(page) if status == 200 else None
        if form is None:
            die(f"element {element}: no edit form (status {status}); is the plan editable?")
        initial[element] = {"version": int(form["version"]), "fields": form["fields"]}
    public = Client(args.base)
    for path in READER_PATHS:
        status, _, _ = public.request("GET", path)
        if status != 200:
            die(f"reader path {path} answered {status}, expected 200")
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"initial": initial, "reader_paths": READER_PATHS}, f, ensure_ascii=False)
    with open(args.lua, "w", encoding="utf-8") as f:
        f.write("-- public readers: every connection walks the same list of pages\n")
        f.write("local paths = {\n")
        for p in READER_PATHS:
            f.write(f'  "{p}",\n')
        f.write("}\nlocal requests = {}\nfor i, p in ipairs(paths) do\n")
        f.write('  requests[i] = wrk.format("GET", p, {["Accept"] = "text/html"})\nend\n')
        f.write("local n = 0\nrequest = function()\n  n = n + 1\n")
        f.write("  return requests[(n % #requests) + 1]\nend\n")


# ----------------------------------------------------------------------------- run


class Editor(threading.Thread):
    def __init__(self, n, args, start_at, stop_at, seed):
        super().__init__(name=f"editor-{n:02d}", daemon=True)
        self.n = n
        self.login = editor_login(n)
        self.args = args
        self.start_at = start_at
        self.stop_at = stop_at
        self.rng = random.Random(seed)
        self.client = Client(args.base)
        self.seq = 0
        self.requests = []  # {kind, status, ms, ...}
        self.saves = []  # one per POST

    def marker(self):
        self.seq += 1
        return f"編集者{self.n:02d}の保存{self.seq:04d}"

    def timed(self, kind, method, path, form=None, **extra):
        t0 = time.monotonic()
        record = {"kind": kind, "status": None, "ms": None, "error": None}
        record.update(extra)
        try:
            status, _, page = self.client.request(method, path, form)
            record["status"] = status
        except Exception as e:  # a socket error or a timeout: the outcome is unknown
            record["error"] = f"{type(e).__name__}: {e}"
            page = None
        record["ms"] = (time.monotonic() - t0) * 1000
        self.requests.append(record)
        return record, page

    def save(self, element, form, base, retry):
        marker = self.marker()
        fields = dict(form["fields"])
        fields["title"] = marker
        fields["course_of_action"] = f"【{marker}】" + strip_marker(fields.get("course_of_action", ""))
        path = f"/staff/plans/{PLAN}/elements/{element}"
        record, page = self.timed(
            "save_retry" if retry else "save", "POST", path, form_pairs(form, fields)
        )
        self.saves.append(
            {
                "editor": self.login,
                "element": element,
                "marker": marker,
                "version": int(form["version"]),
                "base_title": base.get("title"),
                "base_course_of_action": base.get("course_of_action"),
                "status": record["status"],
                "error": record["error"],
                "retry": retry,
                "ms": record["ms"],
            }
        )
        return record, page, fields

    def run(self):
        delay = self.start_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        while time.monotonic() < self.stop_at:
            element = self.rng.choice(ELEMENTS)
            path = f"/staff/plans/{PLAN}/elements/{element}"
            record, page = self.timed("form", "GET", path, element=element)
            form = edit_form(page) if record["status"] == 200 else None
            if form is None:
                if record["status"] == 200:
                    record["error"] = "no edit form on the page"
                time.sleep(0.2)
                continue
            time.sleep(self.rng.uniform(0, 0.2))  # typing
            record, page, fields = self.save(element, form, form["fields"], retry=False)
            if record["status"] != 409 or not self.args.retry:
                continue
            # The conflict page keeps the user's text and carries the current version: the
            # user looks at both texts and saves again, once.
            again = edit_form(page)
            current = current_values(page)
            if again is None or "title" not in current:
                record["error"] = "409 page without the form or the current text"
                continue
            again["fields"] = {k: again["fields"].get(k, v) for k, v in fields.items()}
            time.sleep(self.rng.uniform(0, 0.2))  # reading, merging
            self.save(element, again, current, retry=True)
        self.client.close()


def parse_wrk(text):
    def pct(p):
        m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % p, text, re.M)
        if not m:
            return None
        f = {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]
        return float(m.group(1)) * f

    requests = re.search(r"^\s*(\d+) requests in", text, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    rps = re.search(r"^Requests/sec:\s*([\d.]+)", text, re.M)
    return {
        "requests": int(requests.group(1)) if requests else None,
        "rps": float(rps.group(1)) if rps else None,
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": {
            k: int(v)
            for k, v in zip(("connect", "read", "write", "timeout"), sock.groups())
        }
        if sock
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0},
    }


def cmd_run(args):
    setup = json.load(open(args.setup, encoding="utf-8"))
    duration = args.duration
    # Sign in first (argon2id on the server, outside the measured window).
    editors = []
    t0 = time.monotonic()
    for n in range(1, args.editors + 1):
        e = Editor(n, args, 0, 0, seed=args.seed * 1000 + n)
        sign_in(e.client, e.login, args.password)
        editors.append(e)
    log(f"{len(editors)} editors signed in ({time.monotonic() - t0:.1f}s)")
    wrk_cmd = [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.readers}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        args.lua,
        args.base,
    ]
    log(" ".join(wrk_cmd) + f"  +  {len(editors)} editors, {duration}s")
    start_at = time.monotonic() + 0.5
    stop_at = start_at + duration
    for e in editors:
        e.start_at, e.stop_at = start_at, stop_at
        e.start()
    time.sleep(max(0, start_at - time.monotonic()))
    wrk = subprocess.run(wrk_cmd, capture_output=True, text=True)
    for e in editors:
        e.join(timeout=2 * TIMEOUT + 10)
    stuck = [e.login for e in editors if e.is_alive()]
    if wrk.returncode != 0:
        die(f"wrk exited {wrk.returncode}: {wrk.stderr}")
    with open(args.wrk_out, "w", encoding="utf-8") as f:
        f.write(wrk.stdout)
    # After the load: the public pages of the edited elements still show the published
    # version, never the working copy.
    public = Client(args.base)
    leaked = []
    for element in ELEMENTS:
        status, _, page = public.request("GET", f"/plans/{PLAN}/measures/{element}")
        found = MARKER_RE.findall(page)
        if status != 200 or found:
            leaked.append({"element": element, "status": status, "markers": found[:3]})
    status, _, page = public.request("GET", "/search?q=" + urllib.parse.quote("編集者"))
    if MARKER_RE.search(page):
        leaked.append({"path": "/search?q=編集者", "status": status})
    result = {
        "duration_s": duration,
        "editors": len(editors),
        "readers": args.readers,
        "stuck_editors": stuck,
        "wrk": parse_wrk(wrk.stdout),
        "requests": [r for e in editors for r in e.requests],
        "saves": [s for e in editors for s in e.saves],
        "public_leaks": leaked,
        "initial": setup["initial"],
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    log(f"load finished: {len(result['requests'])} editor requests, wrk {result['wrk']['requests']} requests")


# ----------------------------------------------------------------------------- check


def read_db(args):
    """The element.update audit entries (by sequence) and the edited elements as stored."""
    ids = ", ".join(f"'{e}'" for e in ELEMENTS)
    audit_sql = (
        "SELECT sequence, actor, action, target, before_value, after_value FROM audit_entry "
        "WHERE action = 'element.update' ORDER BY municipality_code, sequence"
    )
    element_sql = (
        "SELECT id, title, course_of_action, version FROM plan_element "
        f"WHERE plan_id = '{PLAN}' AND id IN ({ids})"
    )
    count_sql = "SELECT count(*) FROM audit_entry"
    if args.sqlite:
        db = sqlite3.connect(f"file:{args.sqlite}?mode=ro", uri=True)
        audit = [
            dict(zip(("sequence", "actor", "action", "target", "before", "after"), r))
            for r in db.execute(audit_sql)
        ]
        elements = {
            r[0]: {"title": r[1], "course_of_action": r[2], "version": r[3]}
            for r in db.execute(element_sql)
        }
        total = db.execute(count_sql).fetchone()[0]
        db.close()
        return audit, elements, total

    def psql(sql):
        out = subprocess.run(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", args.postgres, "-c", sql],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out) if out.strip() else None

    audit = psql(
        "SELECT coalesce(json_agg(json_build_array(sequence, actor, action, target, "
        f"before_value, after_value) ORDER BY municipality_code, sequence), '[]') FROM audit_entry "
        "WHERE action = 'element.update'"
    )
    audit = [
        dict(zip(("sequence", "actor", "action", "target", "before", "after"), r)) for r in audit
    ]
    rows = psql(
        "SELECT coalesce(json_agg(json_build_array(id, title, course_of_action, version)), '[]') "
        f"FROM plan_element WHERE plan_id = '{PLAN}' AND id IN ({ids})"
    )
    elements = {r[0]: {"title": r[1], "course_of_action": r[2], "version": r[3]} for r in rows}
    total = psql(f"SELECT to_json(({count_sql}))")
    return audit, elements, total


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)  # nearest rank
    k = max(0, min(len(v) - 1, math.ceil(p / 100 * len(v)) - 1))
    return v[k]


def cmd_check(args):
    res = json.load(open(args.results, encoding="utf-8"))
    audit, stored, audit_total = read_db(args)
    saves = res["saves"]
    requests = res["requests"]
    initial = res["initial"]
    wrk = res["wrk"]
    problems = []  # (check, message)

    def problem(check, message):
        problems.append((check, message))

    # --- editors' requests
    by_kind = {}
    for r in requests:
        k = by_kind.setdefault(r["kind"], {"n": 0, "status": {}, "errors": 0})
        k["n"] += 1
        key = str(r["status"]) if r["status"] is not None else "no answer"
        k["status"][key] = k["status"].get(key, 0) + 1
        expected = {"form": {200}, "save": {303, 409}, "save_retry": {303, 409}}[r["kind"]]
        if r["status"] not in expected or r["error"]:
            k["errors"] += 1
    editor_requests = len(requests)
    editor_errors = sum(k["errors"] for k in by_kind.values())
    ok = [s for s in saves if s["status"] == 303 and not s["error"]]
    conflicts = [s for s in saves if s["status"] == 409]
    unknown = [s for s in saves if s["status"] is None]
    save_ms = [s["ms"] for s in saves if s["status"] is not None]
    form_ms = [r["ms"] for r in requests if r["kind"] == "form" and r["status"] is not None]

    # --- audit entries, matched to requests by their marker
    entries_by_marker = {}
    for e in audit:
        after = json.loads(e["after"]) if e["after"] else {}
        e["after_obj"] = after
        e["before_obj"] = json.loads(e["before"]) if e["before"] else {}
        for m in set(MARKER_RE.findall(e["after"] or "")):
            entries_by_marker.setdefault(m, []).append(e)
    bench_entries = [e for e in audit if e["target"].startswith(f"{PLAN}/")]

    # (a) every 303 has exactly one entry whose after_value carries its marker, by its editor
    for s in ok:
        found = entries_by_marker.get(s["marker"], [])
        if len(found) != 1:
            problem("a", f"{s['marker']} ({s['element']}) got 303 but has {len(found)} audit entries")
            continue
        e = found[0]
        if (
            e["target"] != f"{PLAN}/{s['element']}"
            or e["actor"] != s["editor"]
            or e["after_obj"].get("title") != s["marker"]
            or MARKER_RE.search(e["after_obj"].get("course_of_action", "") or "") is None
        ):
            problem("a", f"{s['marker']}: entry #{e['sequence']} has target {e['target']}, actor {e['actor']}, title {e['after_obj'].get('title')!r}")
    # (b) no phantom writes: as many element.update entries as 303 answers
    known = {s["marker"] for s in ok}
    lost_answers = {s["marker"] for s in unknown}
    phantom = [e for e in bench_entries if not (set(MARKER_RE.findall(e["after"] or "")) & known)]
    unanswered_but_saved = [e for e in phantom if set(MARKER_RE.findall(e["after"] or "")) & lost_answers]
    if len(bench_entries) != len(ok):
        problem("b", f"{len(bench_entries)} element.update entries for {len(ok)} saves answered 303")
    for e in phantom:
        why = "its request got no answer" if e in unanswered_but_saved else "no request got 303 for it"
        problem("b", f"entry #{e['sequence']} ({e['target']}, {e['after_obj'].get('title')!r}): {why}")
    # (c) the stored element equals its latest entry, and its version counts the saves
    for element in ELEMENTS:
        mine = [e for e in bench_entries if e["target"] == f"{PLAN}/{element}"]
        row = stored.get(element)
        if row is None:
            problem("c", f"{element} is no longer stored")
            continue
        want_version = initial[element]["version"] + len(mine)
        if row["version"] != want_version:
            problem("c", f"{element}: stored version {row['version']}, expected {want_version} ({len(mine)} saves)")
        if mine:
            last = mine[-1]["after_obj"]
            for f in ("title", "course_of_action"):
                if (row[f] or "") != (last.get(f) or ""):
                    problem("c", f"{element}: stored {f} {row[f][:40]!r} is not the latest save's {str(last.get(f))[:40]!r} (entry #{mine[-1]['sequence']})")
        elif row["title"] != initial[element]["fields"]["title"]:
            problem("c", f"{element}: no save, but the title changed to {row['title']!r}")
    # (c') no silent overwrite: each save replaced exactly what the previous save left, and
    # what its editor had seen in the form
    for element in ELEMENTS:
        mine = [e for e in bench_entries if e["target"] == f"{PLAN}/{element}"]
        prev = dict(initial[element]["fields"])
        for e in mine:
            before = e["before_obj"]
            for f in ("title", "course_of_action"):
                if (before.get(f) or "") != (prev.get(f) or ""):
                    problem("c", f"{element}: entry #{e['sequence']} replaced {str(before.get(f))[:40]!r}, but the previous save left {str(prev.get(f))[:40]!r}")
                    break
            prev = e["after_obj"]
    by_marker_save = {s["marker"]: s for s in ok}
    for m, found in entries_by_marker.items():
        s = by_marker_save.get(m)
        if s and len(found) == 1:
            seen = found[0]["before_obj"].get("title")
            if seen != s["base_title"]:
                problem("c", f"{m}: its editor saw {s['base_title']!r} but the save replaced {seen!r} (lost edit)")
    # (d) a 409 wrote nothing
    for s in conflicts:
        if s["marker"] in entries_by_marker:
            problem("d", f"{s['marker']} got 409 but is in the audit log (entry #{entries_by_marker[s['marker']][0]['sequence']})")
    # (e) the hash chain
    if args.verify_rc != 0:
        problem("e", f"keikaku audit verify exited {args.verify_rc}")
    # (f) the public site kept the published version
    for leak in res["public_leaks"]:
        problem("f", f"public page shows the working copy: {leak}")
    # server log
    saved_lines = internal = slow = 0
    log_excerpt = []
    if args.server_log and os.path.exists(args.server_log):
        # The server logs JSON lines (KEIKAKU_LOG_FORMAT=json); anything else (a panic) is an error.
        for line in open(args.server_log, encoding="utf-8", errors="replace"):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                level = entry.get("level", "")
                message = entry.get("fields", {}).get("message", "")
            except ValueError:
                level, message = "ERROR", line
            if message == "element saved":
                saved_lines += 1
            if level == "ERROR":
                internal += 1
            elif level == "WARN":
                slow += 1
            else:
                continue
            if len(log_excerpt) < 8:
                log_excerpt.append(line.rstrip())
    if saved_lines != len(ok):
        problem("log", f"server logged {saved_lines} 'element saved' lines for {len(ok)} answers 303")

    reader_errors = wrk["non2xx"] + sum(wrk["socket_errors"].values())
    p99 = wrk["p99_ms"]
    targets = [
        ("reader p99 < %g ms" % args.p99_target, f"{p99:.2f} ms" if p99 is not None else "-", p99 is not None and p99 < args.p99_target),
        ("reader errors = 0", str(reader_errors), reader_errors == 0),
        ("editor errors = 0 (409 expected)", str(editor_errors), editor_errors == 0 and not res["stuck_editors"]),
        ("saves succeeded > 0", str(len(ok)), len(ok) > 0),
        ("conflicts happened (> 0)", str(len(conflicts)), len(conflicts) > 0),
        ("lost-edit check (a)-(d), (f)", f"{sum(1 for c, _ in problems if c not in ('e', 'log'))} problems", not [p for p in problems if p[0] not in ("e", "log")]),
        ("keikaku audit verify exit 0", str(args.verify_rc), args.verify_rc == 0),
        ("server log: no ERROR lines", str(internal), internal == 0),
    ]
    overall = all(t[2] for t in targets) and not problems

    def fmt(x, d=1):
        return "-" if x is None else f"{x:.{d}f}"

    out = []
    w = out.append
    w(f"== {args.backend} ==")
    w(f"load: {res['editors']} editors + {res['readers']} public readers (wrk) for {res['duration_s']} s, {len(ELEMENTS)} measures edited")
    w("")
    w(f"{'':28} {'requests':>9} {'errors':>7}  {'p50 ms':>8} {'p99 ms':>8}  statuses")
    w(f"{'public readers (wrk)':28} {wrk['requests'] or 0:>9} {reader_errors:>7}  {fmt(wrk['p50_ms'], 2):>8} {fmt(wrk['p99_ms'], 2):>8}  non-2xx {wrk['non2xx']}, socket errors {wrk['socket_errors']}, {fmt(wrk['rps'])} req/s")
    for kind, label, ms in (("form", "editors: GET form", form_ms), ("save", "editors: POST save", None), ("save_retry", "editors: POST retry after 409", None)):
        k = by_kind.get(kind, {"n": 0, "status": {}, "errors": 0})
        if ms is None:
            ms = [s["ms"] for s in saves if s["status"] is not None and s["retry"] == (kind == "save_retry")]
        st = ", ".join(f"{c}: {n}" for c, n in sorted(k["status"].items()))
        w(f"{label:28} {k['n']:>9} {k['errors']:>7}  {fmt(percentile(ms, 50)):>8} {fmt(percentile(ms, 99)):>8}  {st}")
    w(f"{'total':28} {(wrk['requests'] or 0) + editor_requests:>9} {reader_errors + editor_errors:>7}")
    w("")
    w(f"saves succeeded (303): {len(ok)}   conflicts (409): {len(conflicts)}   no answer: {len(unknown)}   "
      f"first-try conflicts: {sum(1 for s in conflicts if not s['retry'])}, retries that saved: {sum(1 for s in ok if s['retry'])}")
    w(f"audit log: {len(bench_entries)} element.update entries ({audit_total} entries in all); server log: {saved_lines} 'element saved', {internal} ERROR, {slow} WARN")
    per = []
    for element in ELEMENTS:
        n = sum(1 for s in ok if s["element"] == element)
        c = sum(1 for s in conflicts if s["element"] == element)
        v = stored.get(element, {}).get("version")
        per.append(f"{element} {n} saved/{c} conflicts (v{initial[element]['version']}->v{v})")
    w("per element: " + "; ".join(per))
    w("")
    w("lost-edit check:")
    names = {
        "a": "every 303 has exactly one element.update entry carrying its marker (right element and editor)",
        "b": "element.update entries = 303 answers (no phantom writes)",
        "c": "stored text = latest entry, version = start + saves, each save replaced what its editor saw",
        "d": "no 409 left an entry",
        "e": "keikaku audit verify: hash chain intact",
        "f": "public pages still show the published version (no working-copy text)",
        "log": "server log agrees ('element saved' lines = 303 answers)",
    }
    for c, name in names.items():
        mine = [m for cc, m in problems if cc == c]
        w(f"  ({c}) {'PASS' if not mine else 'FAIL'}  {name}")
        for m in mine[:10]:
            w(f"        - {m}")
        if len(mine) > 10:
            w(f"        - … and {len(mine) - 10} more")
    if log_excerpt:
        w("server log (first ERROR/WARN lines):")
        for line in log_excerpt:
            w("  " + line[:400])
    w("")
    w(f"{'target':36} {'measured':>14}  verdict")
    for name, measured, good in targets:
        w(f"{name:36} {measured:>14}  {'PASS' if good else 'FAIL'}")
    w(f"{args.backend}: {'PASS' if overall else 'FAIL'}")
    print("\n".join(out))
    sys.exit(0 if overall else 2)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--base", required=True)
    s.add_argument("--password", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--lua", required=True)
    r = sub.add_parser("run")
    r.add_argument("--base", required=True)
    r.add_argument("--password", required=True)
    r.add_argument("--setup", required=True)
    r.add_argument("--lua", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--wrk-out", required=True)
    r.add_argument("--editors", type=int, default=20)
    r.add_argument("--readers", type=int, default=500)
    r.add_argument("--wrk-threads", type=int, default=2)
    r.add_argument("--duration", type=int, default=60)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--no-retry", dest="retry", action="store_false")
    c = sub.add_parser("check")
    c.add_argument("--backend", required=True)
    c.add_argument("--results", required=True)
    g = c.add_mutually_exclusive_group(required=True)
    g.add_argument("--sqlite")
    g.add_argument("--postgres")
    c.add_argument("--verify-rc", type=int, required=True)
    c.add_argument("--server-log")
    c.add_argument("--p99-target", type=float, default=50)
    args = p.parse_args()
    {"setup": cmd_setup, "run": cmd_run, "check": cmd_check}[args.cmd](args)


if __name__ == "__main__":
    main()
