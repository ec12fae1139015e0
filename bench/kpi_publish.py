"""Publishes the verification round of a fiscal year for bench/kpi-dashboard.sh, the way a
planning office would through the API: a token made on the staff token page, then every
department's part submitted and approved, then the round published. Standard library only.

Usage: kpi_publish.py ADDR SESSION PLAN YEAR"""
import html
import json
import re
import sys
import urllib.parse
import urllib.request

addr, session, plan, year = sys.argv[1:5]
base = f"http://{addr}"
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())


def page(path, form=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(base + path, data=data, headers={"Cookie": f"keikaku_session={session}"})
    with opener.open(req) as r:
        return r.read().decode()


def hidden(text, name):
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), text)
    return html.unescape(m.group(1)) if m else None


tokens = page("/staff/tokens")
created = page("/staff/tokens", {"csrf": hidden(tokens, "csrf"), "name": "ベンチマーク", "expires_in_days": "1"})
secret = html.unescape(re.search(r'id="token-secret" type="text" value="([^"]*)"', created).group(1))


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read().decode() or "null")


rounds = f"/api/v1/plans/{plan}/kpi/rounds/{year}"
state = api("GET", rounds)
for d in state["departments"]:
    name = urllib.parse.quote(d["department"], safe="")
    state = api("POST", f"{rounds}/departments/{name}/submit", {"revision": d["revision"]})
    part = next(p for p in state["departments"] if p["department"] == d["department"])
    state = api("POST", f"{rounds}/departments/{name}/approve", {"revision": part["revision"], "comment": ""})
api("POST", f"{rounds}/publish", {"revision": state["revision"]})
print(f"published {plan} {year}: {len(state['departments'])} departments")
