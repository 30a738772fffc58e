#!/usr/bin/env python3
"""Save benchmark: one principle page saved over and over with wrk, against `/healthz`.

The issue's aim is that an answer save costs the server little more than the cheapest request
it serves. This measures exactly that, against a running server:

1. prepares assessments open for answers through the ORM (`loadtest.prepare`; DATABASE_URL
   must name the server's database), and joins `--participants` participants over HTTP as a
   phone would (join page, Start), so each has its own respondent cookie, device cookie and
   CSRF token; each saves the page once (answers B), so every one starts from a known state;
2. writes a small wrk Lua script that POSTs the principle page (valid answers, CSRF token,
   the participant's cookies), each thread taking turns over its own share of the
   participants, each participant's answers alternating between two sets (A, B, A, …) so
   that every save really writes: every statement and the comment change each time;
3. runs wrk on the save, then with the same settings on `/healthz` (the floor), and prints
   both (requests per second, latency percentiles, statuses) and their ratio;
4. verifies: every participant's stored page is wholly A or wholly B (no save half
   written), the run changed every participant, and one last save per participant (answers
   C) is stored exactly as sent.

    python scripts/bench_save.py --base-url http://127.0.0.1:8741 --connections 50 \\
        --duration 20

It needs Debian's `wrk`. Exit status: 0 when all was as expected, 1 when a save answered
anything but a redirect or what is stored is not what was sent, 2 on wrong arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadtest  # next to this file

# Three sets of answers: the run alternates A and B, the check after it sends C.
ANSWER_SETS = {
    "A": ("4", "Vi litar på varandra i arbetsgruppen."),
    "B": ("2", "Vi behöver mer tid för reflektion."),
    "C": ("5", "Sista sparningen."),
}
_STATEMENT = re.compile(r'name="(statement_[0-9]+)"')
JSON_MARK = "BENCH_JSON "

# Both runs report the same way: statuses counted per thread, figures as one JSON line.
_LUA_REPORT = r"""
local threads = {}
function setup(thread)
  thread:set("slot", #threads)
  table.insert(threads, thread)
end
statuses = {}
function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end
function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("statuses")) do counted[key] = (counted[key] or 0) + n end
  end
  local parts = {}
  for key, n in pairs(counted) do table.insert(parts, string.format('"%s": %d', key, n)) end
  local e = summary.errors
  io.write(string.format(
    '__MARK__{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p90_ms": %.2f, ' ..
    '"p99_ms": %.2f, "max_ms": %.2f, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
""".replace("__MARK__", JSON_MARK)

_LUA_SAVE = r"""
-- Participants: path, cookies, and the two bodies (answers A and B).
local everyone = __PARTICIPANTS__
local mine, turn = {}, 0
function init(args)
  -- Each thread takes its own share, so no two threads save the same respondent, and within
  -- a thread a participant comes round again only after all the others.
  for i, p in ipairs(everyone) do
    if (i - 1) % __THREADS__ == slot then
      table.insert(mine, {path = p[1], cookie = p[2], bodies = {p[3], p[4]}, sent = 0})
    end
  end
end
function request()
  turn = turn % #mine + 1
  local p = mine[turn]
  p.sent = p.sent + 1
  -- The first body is the set not stored before the run: each save changes every answer
  -- and the comment.
  local body = p.bodies[(p.sent - 1) % 2 + 1]
  return wrk.format("POST", p.path, {
    ["Cookie"] = p.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept-Language"] = "sv",
  }, body)
end
"""


@dataclass
class Joined:
    code: str
    token: str
    path: str
    cookies: dict[str, str]
    csrf: str
    statements: list[str]

    def body(self, answer_set: str) -> str:
        value, comment = ANSWER_SETS[answer_set]
        fields = dict.fromkeys(self.statements, value)
        fields.update(comment=comment, nav="next", csrfmiddlewaretoken=self.csrf)
        return urllib.parse.urlencode(fields)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def join(base_url: str, code: str, principle: int) -> Joined:
    """One participant joins over HTTP, opens the principle page and saves answers B."""
    browser = loadtest.Browser(base_url, record=lambda sample: None)
    try:
        join_path = f"/delta/{code}/"
        welcome = browser.request("GET", join_path, kind="join")
        if welcome.status != 200:
            raise RuntimeError(f"the join page answered {welcome.status}")
        fields = {"csrfmiddlewaretoken": loadtest.csrf_token(welcome.body)}
        started = browser.request("POST", join_path, fields, kind="join")
        if started.status != 302:
            raise RuntimeError(f"Start answered {started.status}")
        path = f"/delta/{code}/princip/{principle}/"
        page = browser.request("GET", path, kind="page")
        if page.status != 200:
            raise RuntimeError(f"the principle page answered {page.status}")
        joined = Joined(
            code=code,
            token=loadtest._respondent_token(browser.cookies, code),
            path=path,
            cookies=dict(browser.cookies),
            csrf=loadtest.csrf_token(page.body),
            statements=sorted(set(_STATEMENT.findall(page.body))),
        )
        save(base_url, joined, "B", browser)
        return joined
    finally:
        browser.close()


def save(base_url: str, joined: Joined, answer_set: str, browser=None) -> None:
    """One save through the same kind of request wrk sends; it must be acknowledged (302)."""
    own = browser is None
    browser = browser or loadtest.Browser(base_url, record=lambda sample: None)
    browser.cookies = dict(joined.cookies)
    try:
        fields = dict(urllib.parse.parse_qsl(joined.body(answer_set)))
        saved = browser.request("POST", joined.path, fields, kind="save")
        if saved.status != 302:
            raise RuntimeError(f"saving {answer_set} answered {saved.status}")
    finally:
        if own:
            browser.close()


def _lua_string(value: str) -> str:
    """A Lua string literal of an ASCII value (URL-encoded bodies, paths, cookies)."""
    if not value.isascii():
        raise ValueError(f"not ASCII: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_scripts(
    folder: Path, participants: list[Joined], threads: int, stored_a: set[str]
) -> tuple[Path, Path]:
    """The save script (each participant starting with the set not stored) and the floor's."""

    def bodies(p: Joined) -> tuple[str, str]:
        return (p.body("B"), p.body("A")) if p.token in stored_a else (p.body("A"), p.body("B"))

    rows = ",\n  ".join(
        "{" + ", ".join(_lua_string(v) for v in (p.path, p.cookie_header(), *bodies(p))) + "}"
        for p in participants
    )
    save_lua = folder / "save.lua"
    save_lua.write_text(
        _LUA_REPORT
        + _LUA_SAVE.replace("__PARTICIPANTS__", "{\n  " + rows + "\n}").replace(
            "__THREADS__", str(threads)
        )
    )
    floor_lua = folder / "floor.lua"
    floor_lua.write_text(_LUA_REPORT)
    return save_lua, floor_lua


def run_wrk(url: str, script: Path, args: argparse.Namespace) -> dict:
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        f"--timeout={args.timeout}s",
        f"--script={script}",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    for line in done.stdout.splitlines():
        if line.startswith(JSON_MARK):
            figures = json.loads(line[len(JSON_MARK) :])
            figures["per_second"] = figures["requests"] / figures["seconds"]
            return figures
    raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")


def line(label: str, figures: dict) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(figures["statuses"].items()))
    return (
        f"{label:<22} {figures['per_second']:>8.1f} req/s  "
        f"p50 {figures['p50_ms']:>7.1f} ms  p90 {figures['p90_ms']:>7.1f} ms  "
        f"p99 {figures['p99_ms']:>7.1f} ms  max {figures['max_ms']:>7.1f} ms  "
        f"({figures['requests']} requests; {statuses}; socket errors "
        f"{figures['socket_errors']})"
    )


def stored_pages(participants: list[Joined]) -> dict[str, tuple[set[str], str | None]]:
    """Per token: the values stored for the page's statements, and the page's comment."""
    from assessments.answers import hash_token
    from assessments.models import PrincipleComment, Respondent, StatementAnswer

    by_hash = {hash_token(p.token): p for p in participants}
    respondents = dict(
        Respondent.objects.filter(token_hash__in=by_hash).values_list("pk", "token_hash")
    )
    statement_ids = {int(n.split("_")[1]) for p in participants for n in p.statements}
    values: dict[str, set[str]] = {p.token: set() for p in participants}
    counts: dict[str, int] = {p.token: 0 for p in participants}
    for respondent_id, value, dont_know in StatementAnswer.objects.filter(
        respondent_id__in=respondents, statement_id__in=statement_ids
    ).values_list("respondent_id", "value", "dont_know"):
        token = by_hash[respondents[respondent_id]].token
        values[token].add("dk" if dont_know else str(value))
        counts[token] += 1
    comments: dict[str, str | None] = {p.token: None for p in participants}
    principle_of = {}
    for respondent_id, principle_id, text in PrincipleComment.objects.filter(
        respondent_id__in=respondents
    ).values_list("respondent_id", "principle_id", "text"):
        principle_of.setdefault(respondent_id, set()).add(principle_id)
        comments[by_hash[respondents[respondent_id]].token] = text
    if any(len(ids) > 1 for ids in principle_of.values()):
        raise RuntimeError("a participant has comments on more than the benchmarked page")
    return {
        p.token: (
            values[p.token] if counts[p.token] == len(p.statements) else {"missing"},
            comments[p.token],
        )
        for p in participants
    }


def changed_at(participants: list[Joined]) -> dict[str, object]:
    from assessments.answers import hash_token
    from assessments.models import Respondent

    by_hash = {hash_token(p.token): p.token for p in participants}
    return {
        by_hash[h]: at
        for h, at in Respondent.objects.filter(token_hash__in=by_hash).values_list(
            "token_hash", "updated_at"
        )
    }


def settle(participants: list[Joined], *, pause: float = 0.5, limit: float = 30.0) -> None:
    """Wait until the server has finished the saves wrk left in flight when it stopped.

    wrk closes its connections at the end, but a worker finishes (and commits) the request it
    is in; a check during that would see a page change between its two reads.
    """
    waited, last = 0.0, changed_at(participants)
    while waited < limit:
        time.sleep(pause)
        waited += pause
        now = changed_at(participants)
        if now == last:
            return
        last = now


def is_set(stored: tuple[set[str], str | None], answer_set: str) -> bool:
    value, comment = ANSWER_SETS[answer_set]
    return stored == ({value}, comment)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="save and floor runs in turn (the machine's load changes between them)",
    )
    parser.add_argument("--timeout", type=int, default=10, help="wrk's timeout in seconds")
    parser.add_argument(
        "--participants",
        type=int,
        default=0,
        help="participants taking turns (default: four per connection, so that no one's "
        "saves overlap)",
    )
    parser.add_argument("--per-assessment", type=int, default=25)
    parser.add_argument("--principle", type=int, default=1, help="the page saved")
    parser.add_argument("--floor", default="/healthz")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian package wrk; `make system-packages`).", file=sys.stderr)
        return 2
    if args.rounds < 1:
        print("Give at least one round.", file=sys.stderr)
        return 2
    if args.connections < args.threads or args.threads < 1:
        print("Give at least one connection per thread.", file=sys.stderr)
        return 2
    participants_wanted = args.participants or 4 * args.connections
    base_url = args.base_url.rstrip("/")

    loadtest.django_setup()
    assessments = -(-participants_wanted // args.per_assessment)
    prepared = loadtest.prepare(assessments, args.per_assessment)
    codes = prepared["codes"]
    participants = [
        join(base_url, codes[number % len(codes)], args.principle)
        for number in range(participants_wanted)
    ]
    statements = len(participants[0].statements)
    print(
        f"{len(participants)} participants in {len(codes)} assessments (tag {prepared['tag']}), "
        f"principle page {args.principle} with {statements} statements and a comment"
    )
    print(
        f"wrk: {args.threads} threads, {args.connections} connections, {args.duration} s each; "
        f"{os.cpu_count()} CPUs here"
    )
    problems = []
    ratios = []
    with tempfile.TemporaryDirectory(prefix="bench-save-") as folder:
        for number in range(1, args.rounds + 1):
            stored = stored_pages(participants)
            before = changed_at(participants)
            stored_a = {token for token, page in stored.items() if is_set(page, "A")}
            save_lua, floor_lua = write_scripts(Path(folder), participants, args.threads, stored_a)
            print(f"round {number} of {args.rounds}; load average {loadtest._load()}")
            figures = {}
            # Every other round the floor goes first, so neither always meets the same moment.
            order = ("save", "floor") if number % 2 else ("floor", "save")
            for kind in order:
                if kind == "save":
                    figures[kind] = run_wrk(base_url + participants[0].path, save_lua, args)
                    label = f"save (POST princip/{args.principle})"
                else:
                    figures[kind] = run_wrk(base_url + args.floor, floor_lua, args)
                    label = f"floor (GET {args.floor})"
                print("  " + line(label, figures[kind]))
            saved, floor = figures["save"], figures["floor"]
            ratio = saved["per_second"] / floor["per_second"] if floor["per_second"] else 0.0
            ratios.append(ratio)
            print(
                f"  save/floor: throughput {ratio:.3f}; "
                f"p50 {saved['p50_ms'] / floor['p50_ms']:.1f}× the floor's; "
                f"load average after {loadtest._load()}"
            )
            if set(saved["statuses"]) != {"302"} or saved["socket_errors"]:
                problems.append(f"saves answered other than 302: {saved['statuses']}")
            if set(floor["statuses"]) != {"200"} or floor["socket_errors"]:
                problems.append(f"the floor answered other than 200: {floor['statuses']}")
            settle(participants)
            stored = stored_pages(participants)
            whole = sum(1 for page in stored.values() if is_set(page, "A") or is_set(page, "B"))
            after = changed_at(participants)
            moved = sum(1 for token, at in after.items() if at != before.get(token))
            print(
                f"  stored: {whole} of {len(participants)} pages wholly one of the two sets "
                f"sent; {moved} of {len(participants)} participants changed by the round"
            )
            if whole != len(participants):
                problems.append("a page is stored neither as A nor as B")
            if moved != len(participants):
                problems.append("a round did not change every participant")
    ordered = sorted(ratios)
    print(
        f"save/floor throughput over {len(ratios)} rounds: median "
        f"{ordered[len(ordered) // 2]:.3f} (from {ordered[0]:.3f} to {ordered[-1]:.3f})"
    )
    for joined in participants:
        save(base_url, joined, "C")
    stored = stored_pages(participants)
    last = sum(1 for s in stored.values() if is_set(s, "C"))
    print(f"one more save each (C): {last} of {len(participants)} stored exactly as sent")
    if last != len(participants):
        problems.append("a last save is not stored as sent")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
