#!/usr/bin/env python3
"""Load benchmark: participants join and answer every page against a running server.

A meeting week means many units answering at once. This walks N participants through the
pages a phone would: open the join link, press Start, then GET and POST every principle page,
the control–trust dimensions and the steering balance, and open the summary. Each participant
is one thread's browser with its own cookies; the client parses the forms it is given (CSRF
token, radio buttons, number fields) and fills them like a person would. It then times a
"floor" page with the same client, so the figures can be read against what the server and
machine give for the cheapest request, and finally checks in the database that every save the
server acknowledged (a redirect after the POST) is stored with the values that were sent.

    python scripts/loadtest.py prepare --assessments 20 --expected 25 --out codes.json
    python scripts/loadtest.py run --base-url http://127.0.0.1:8000 --codes codes.json \\
        --participants 400 --concurrency 16 --acks acks.json
    python scripts/loadtest.py verify --acks acks.json
    python scripts/loadtest.py bench --base-url http://127.0.0.1:8000 --assessments 20 \\
        --participants 400 --concurrency 16      # the three in one go

`prepare` and `verify` use Django's ORM with this environment's DATABASE_URL (the server's
database); `run` only speaks HTTP. All participants come from this machine's address, so the
server must allow that many respondents from one address: start it with
JOIN_CREATES_PER_ADDRESS at least the participants per assessment.

Exit status: 0 when every acknowledged save is stored, 1 when any is missing or no participant
got through, 2 on wrong arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import html
import http.client
import json
import math
import os
import random
import re
import secrets
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "tillit-loadtest/1"
# Statuses a proxy gives while a node is down or restarting: the participant tries again.
TRANSIENT_STATUSES = {502, 503, 504}
FLOOR_PATHS = ("/healthz", "/ramverk/")

_INPUT = re.compile(r"<input\b([^>]*)>", re.I)
_TEXTAREA = re.compile(r"<textarea\b([^>]*)>", re.I)
_ATTRIBUTE = re.compile(r'([\w:-]+)\s*=\s*"([^"]*)"')
_COMMENTS = ["", "", "Bra möten men för lite tid.", "Vi behöver mer handlingsutrymme.", "–"]


# ---------------------------------------------------------------------------------------
# HTTP: one participant's browser
# ---------------------------------------------------------------------------------------


class TransientError(Exception):
    """The request did not get an answer a person would accept (refused, reset, 502…)."""


@dataclass
class Response:
    status: int
    body: str
    location: str
    node: str


@dataclass
class Sample:
    kind: str  # "join", "page" (GET), "save" (POST), "summary", "floor"
    started: float  # time.monotonic()
    seconds: float
    status: int  # 0 when the connection failed
    node: str = ""


class Browser:
    """Cookies and a connection of one participant; records a sample per request."""

    def __init__(
        self,
        base_url: str,
        *,
        record: Callable[[Sample], None],
        source_address: str | None = None,
        node_header: str = "X-Served-By",
        timeout: float = 60.0,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"Give a plain http:// base URL, not {base_url!r}.")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.cookies: dict[str, str] = {}
        self.record = record
        self.source = (source_address, 0) if source_address else None
        self.node_header = node_header
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout, source_address=self.source
            )
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self, method: str, path: str, fields: dict[str, str] | None = None, *, kind: str
    ) -> Response:
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            connection = self._connect()
            connection.request(method, self.prefix + path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            self.record(Sample(kind, started, time.monotonic() - started, 0))
            raise TransientError(f"{method} {path}: {error!r}") from error
        seconds = time.monotonic() - started
        node = answer.getheader(self.node_header, "") or ""
        self.record(Sample(kind, started, seconds, answer.status, node))
        if answer.will_close:
            self.close()
        for header in answer.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if answer.status in TRANSIENT_STATUSES:
            raise TransientError(f"{method} {path}: {answer.status}")
        location = answer.getheader("Location", "") or ""
        if location.startswith("http"):
            location = urllib.parse.urlsplit(location).path
        return Response(answer.status, content.decode("utf-8", "replace"), location, node)


# ---------------------------------------------------------------------------------------
# Forms, filled like a person would
# ---------------------------------------------------------------------------------------


def _attributes(tag: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v) for k, v in _ATTRIBUTE.findall(tag)}


def csrf_token(page: str) -> str:
    for tag in _INPUT.findall(page):
        attributes = _attributes(tag)
        if attributes.get("name") == "csrfmiddlewaretoken":
            return attributes.get("value", "")
    raise ValueError("The page has no CSRF token: not a form page.")


def fill_answers(page: str, rng: random.Random) -> dict[str, str]:
    """Answers for every question on an answer page: radios, balance points, the comment."""
    radios: dict[str, list[str]] = defaultdict(list)
    balances: dict[str, list[str]] = defaultdict(list)
    for tag in _INPUT.findall(page):
        attributes = _attributes(tag)
        name = attributes.get("name", "")
        if attributes.get("type") == "radio" and name:
            radios[name].append(attributes.get("value", ""))
        elif name.startswith("balance_"):
            kind = attributes.get("data-balance") or name.split("_")[1]
            balances[kind].append(name)
    answers: dict[str, str] = {}
    for name, values in radios.items():
        # One in ten "don't know" where the scale offers it, as people do.
        numbers = [v for v in values if v.isdigit()]
        others = [v for v in values if not v.isdigit()]
        if others and rng.random() < 0.1:
            answers[name] = rng.choice(others)
        else:
            answers[name] = rng.choice(numbers or values)
    for names in balances.values():
        # Three whole numbers summing to 100.
        cuts = sorted(rng.randint(0, 100) for _ in range(len(names) - 1))
        points = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        answers.update({n: str(p) for n, p in zip(sorted(names), points, strict=True)})
    for tag in _TEXTAREA.findall(page):
        if _attributes(tag).get("name") == "comment":
            answers["comment"] = rng.choice(_COMMENTS)
    return answers


def page_kind(path: str) -> str:
    for marker, kind in (("/princip/", "principle"), ("/styrning/", "dimensions")):
        if marker in path:
            return kind
    if path.rstrip("/").endswith("/balans"):
        return "balance"
    if path.rstrip("/").endswith("/klart"):
        return "summary"
    if re.fullmatch(r"/delta/[^/]+/", path):
        return "join"
    return "other"


# ---------------------------------------------------------------------------------------
# One participant
# ---------------------------------------------------------------------------------------


@dataclass
class Ack:
    """A save the server acknowledged: what was sent, to which page, when and where."""

    code: str
    token: str
    page: str
    kind: str
    fields: dict[str, str]
    at: float
    node: str


@dataclass
class Participant:
    number: int
    code: str
    token: str = ""
    acks: list[Ack] = field(default_factory=list)
    finished: bool = False
    error: str = ""
    retries: int = 0


def _respondent_token(cookies: dict[str, str], code: str) -> str:
    """The secret token in the respondent cookie ("code:token:timestamp:signature")."""
    value = cookies.get(f"tillit_r_{code}", "")
    parts = value.split(":")
    return parts[1] if len(parts) >= 2 and parts[0] == code else ""


T = TypeVar("T")


class _Retry:
    """Run a step again after a transient failure, as a person presses the button again."""

    def __init__(self, participant: Participant, attempts: int, pause: float) -> None:
        self.participant = participant
        self.attempts = attempts
        self.pause = pause

    def __call__(self, step: Callable[[], T]) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return step()
            except TransientError:
                if attempt == self.attempts:
                    raise
                self.participant.retries += 1
                time.sleep(self.pause * attempt)
        raise AssertionError("unreachable")


def walk(
    browser: Browser,
    participant: Participant,
    rng: random.Random,
    *,
    attempts: int = 8,
    pause: float = 0.25,
    on_ack: Callable[[Ack], None] | None = None,
) -> Participant:
    """Join with the code and answer every page, then open the summary."""
    retry = _Retry(participant, attempts, pause)
    code = participant.code
    join_path = f"/delta/{code}/"

    def acknowledge(page: str, sent: dict[str, str], node: str) -> None:
        ack = Ack(code, participant.token, page, page_kind(page), sent, time.monotonic(), node)
        participant.acks.append(ack)
        if on_ack:
            on_ack(ack)

    def join() -> Response:
        welcome = browser.request("GET", join_path, kind="join")
        if welcome.status == 302 and page_kind(welcome.location) not in ("join", "other"):
            return welcome  # this browser has joined already (a retried join that got through)
        if welcome.status != 200:
            raise _Stop(f"join page answered {welcome.status}")
        fields = {"csrfmiddlewaretoken": csrf_token(welcome.body)}
        return browser.request("POST", join_path, fields, kind="join")

    try:
        joined = retry(join)
        if joined.status != 302:
            raise _Stop(f"Start answered {joined.status}: {_title(joined.body)}")
        participant.token = _respondent_token(browser.cookies, code)
        acknowledge(join_path, {}, joined.node)
        path = joined.location
        while page_kind(path) in ("principle", "dimensions", "balance"):
            current = path

            def save(current: str = current) -> tuple[Response, dict[str, str]]:
                page = browser.request("GET", current, kind="page")
                if page.status != 200:
                    raise _Stop(f"{page_kind(current)} page answered {page.status}")
                sent = fill_answers(page.body, rng)
                fields = {**sent, "csrfmiddlewaretoken": csrf_token(page.body), "nav": "next"}
                return browser.request("POST", current, fields, kind="save"), sent

            saved, sent = retry(save)
            if saved.status != 302:
                raise _Stop(f"saving {current} answered {saved.status}: {_title(saved.body)}")
            acknowledge(current, sent, saved.node)
            path = saved.location
        if page_kind(path) != "summary":
            raise _Stop(f"the last save led to {path!r}, not the summary")
        summary = retry(lambda: browser.request("GET", path, kind="summary"))
        if summary.status != 200:
            raise _Stop(f"summary answered {summary.status}")
        participant.finished = True
    except (_Stop, TransientError, ValueError) as error:
        participant.error = str(error)
    except Exception as error:  # a thread must not die silently: the report lists it
        participant.error = f"unexpected: {error!r}"
    finally:
        browser.close()
    return participant


class _Stop(Exception):
    """The participant cannot go on: an answer no retry will change."""


def _title(page: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    return (
        re.sub(r"\s+", " ", html.unescape(re.sub("<[^>]+>", "", match.group(1)))).strip()[:120]
        if match
        else page[:120]
    )


# ---------------------------------------------------------------------------------------
# Many participants, and the floor
# ---------------------------------------------------------------------------------------


@dataclass
class RunResult:
    participants: list[Participant]
    samples: list[Sample]
    seconds: float

    @property
    def acks(self) -> list[Ack]:
        return [ack for p in self.participants for ack in p.acks]


class Recorder:
    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._lock = threading.Lock()

    def __call__(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)


def _pool(jobs: Iterable, concurrency: int, work: Callable) -> None:
    """Run `work(job)` for every job on `concurrency` threads."""
    queue = list(jobs)
    queue.reverse()
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            work(job)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_participants(
    base_url: str,
    codes: list[str],
    participants: int,
    concurrency: int,
    *,
    seed: int = 1,
    on_ack: Callable[[Ack], None] | None = None,
    node_header: str = "X-Served-By",
    attempts: int = 8,
) -> RunResult:
    """`participants` people, spread evenly over the assessments of `codes`, `concurrency`
    at a time; each answers every page."""
    if not codes:
        raise ValueError("No join codes to answer.")
    recorder = Recorder()
    people = [Participant(n, codes[n % len(codes)]) for n in range(participants)]

    def work(person: Participant) -> None:
        browser = Browser(base_url, record=recorder, node_header=node_header)
        walk(
            browser,
            person,
            random.Random(seed * 1_000_003 + person.number),
            on_ack=on_ack,
            attempts=attempts,
        )

    started = time.monotonic()
    _pool(people, concurrency, work)
    return RunResult(people, recorder.samples, time.monotonic() - started)


def find_floor(base_url: str, paths: Iterable[str] = FLOOR_PATHS) -> str:
    """The first of `paths` the server answers with 200 (the health check, if there is one)."""
    for path in paths:
        browser = Browser(base_url, record=lambda sample: None)
        with contextlib.suppress(TransientError):
            if browser.request("GET", path, kind="floor").status == 200:
                return path
        browser.close()
    raise RuntimeError(f"None of {', '.join(paths)} answers 200 at {base_url}.")


def run_floor(base_url: str, path: str, requests: int, concurrency: int) -> RunResult:
    """The same client asking for `path` `requests` times, `concurrency` at a time."""
    recorder = Recorder()

    def work(_number: int) -> None:
        browser = Browser(base_url, record=recorder)
        with contextlib.suppress(TransientError):  # recorded as an error sample
            browser.request("GET", path, kind="floor")
        browser.close()

    started = time.monotonic()
    _pool(range(requests), concurrency, work)
    return RunResult([], recorder.samples, time.monotonic() - started)


# ---------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Figures:
    requests: int
    errors: int
    seconds: float
    per_second: float
    p50: float
    p95: float
    p99: float

    @classmethod
    def of(cls, samples: list[Sample], seconds: float, ok: Callable[[Sample], bool]) -> Figures:
        times = [s.seconds for s in samples]
        return cls(
            requests=len(samples),
            errors=sum(1 for s in samples if not ok(s)),
            seconds=seconds,
            per_second=len(samples) / seconds if seconds else 0.0,
            p50=percentile(times, 0.50),
            p95=percentile(times, 0.95),
            p99=percentile(times, 0.99),
        )

    def line(self, label: str) -> str:
        return (
            f"{label:<16} {self.requests:>7} req  {self.per_second:>7.1f} req/s  "
            f"p50 {self.p50 * 1000:>6.0f} ms  p95 {self.p95 * 1000:>6.0f} ms  "
            f"p99 {self.p99 * 1000:>6.0f} ms  errors {self.errors}"
        )


def _expected_status(sample: Sample) -> bool:
    # Joins answer 200 (welcome) then 302; pages 200; saves 302; the summary 200.
    return sample.status in (200, 302)


def report(run: RunResult, floor: RunResult | None, *, concurrency: int) -> dict:
    """Print the figures of a run (and its floor); return them."""
    people = run.participants
    finished = sum(1 for p in people if p.finished)
    app = Figures.of(run.samples, run.seconds, _expected_status)
    print(
        f"participants {len(people)} at concurrency {concurrency}: {finished} finished, "
        f"{len(people) - finished} gave up, {sum(p.retries for p in people)} retried steps; "
        f"{run.seconds:.1f} s, {finished / run.seconds if run.seconds else 0:.2f} participants/s"
    )
    print(app.line("all app requests"))
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in run.samples:
        by_kind[sample.kind].append(sample)
    for kind in ("join", "page", "save", "summary"):
        if by_kind[kind]:
            print("  " + Figures.of(by_kind[kind], run.seconds, _expected_status).line(kind))
    for person in people:
        if person.error:
            print(f"  participant {person.number} ({person.code[:3]}…): {person.error}")
    result = {"app": app.__dict__, "finished": finished, "participants": len(people)}
    if floor is not None:
        base = Figures.of(floor.samples, floor.seconds, lambda s: s.status == 200)
        print(base.line("floor"))
        ratio_rate = app.per_second / base.per_second if base.per_second else 0.0
        ratio_p50 = app.p50 / base.p50 if base.p50 else 0.0
        print(
            f"app/floor: throughput {ratio_rate:.2f}×, p50 {ratio_p50:.1f}×, "
            f"p95 {app.p95 / base.p95 if base.p95 else 0:.1f}×"
        )
        result["floor"] = base.__dict__
        result["ratio_throughput"] = ratio_rate
    return result


# ---------------------------------------------------------------------------------------
# Django side: preparing assessments and checking what is stored
# ---------------------------------------------------------------------------------------


def django_setup() -> None:
    """Django with this environment's settings (DATABASE_URL: the server's database)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.settings")
    # Preparing and counting sign nothing; the settings still want a key outside DEBUG.
    os.environ.setdefault("SECRET_KEY", "loadtest-" + secrets.token_urlsafe(32))
    import django

    django.setup()


def prepare(assessments: int, expected: int, *, tag: str | None = None) -> dict:
    """A unit tree of its own with `assessments` units, one round on the current published
    framework (loaded from the fixture if there is none), and every unit assessment open for
    individual answers with `expected` respondents expected. Returns the join codes."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from assessments import rounds, workflow
    from assessments.models import Unit, UnitKind
    from principles.models import FrameworkVersion

    if not 1 <= assessments <= 5000:
        raise ValueError("Give from 1 to 5,000 assessments.")
    version = FrameworkVersion.objects.current()
    if version is None:
        call_command("loaddata", "framework", verbosity=0)
        version = FrameworkVersion.objects.current()
    admin, created = get_user_model().objects.get_or_create(
        username="loadtest-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_unusable_password()
        admin.save(update_fields=["password"])
    tag = tag or secrets.token_hex(3).upper()
    root = Unit.objects.add_root(
        {"code": f"LOAD-{tag}", "name": f"Load test {tag}", "kind": UnitKind.ORGANISATION}
    )
    units = []
    for number in range(1, assessments + 1):
        root.refresh_from_db()  # treebeard needs the parent's current child count
        units.append(
            Unit.objects.add_child(
                root,
                {"code": f"LOAD-{tag}-{number}", "name": f"Unit {number}", "kind": UnitKind.UNIT},
            )
        )
    today = datetime.date.today()
    round_ = rounds.open_round(
        user=admin,
        name=f"Load test {tag}",
        framework_version=version,
        root=root,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
        units=units,
    )
    codes = []
    for assessment in rounds.assessments_of(round_).order_by("pk"):
        workflow.open_individual(assessment, admin, expected=expected)
        codes.append(assessment.join_code)
    return {"tag": tag, "round": round_.pk, "expected": expected, "codes": codes}


@dataclass
class Verification:
    acknowledged: dict[str, int]
    stored: dict[str, int]
    missing: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing


def verify(acks: list[dict], codes: list[str]) -> Verification:
    """Every acknowledged save against the database: each answer stored as it was sent.

    `stored` counts the rows of the assessments of `codes` (all respondents, also those whose
    last save was not acknowledged), `acknowledged` the answers in acknowledged saves.
    """
    from assessments.answers import DONT_KNOW, hash_token
    from assessments.models import (
        BalanceAnswer,
        DimensionAnswer,
        PrincipleComment,
        Respondent,
        StatementAnswer,
    )
    from principles.models import Statement

    acknowledged: dict[str, int] = defaultdict(int)
    missing: list[str] = []
    respondents = {
        r.token_hash: r
        for r in Respondent.objects.filter(assessment__join_code__in=codes).select_related(
            "assessment"
        )
    }
    ids = [r.pk for r in respondents.values()]
    statements = {
        (a.respondent_id, a.statement_id): a
        for a in StatementAnswer.objects.filter(respondent_id__in=ids)
    }
    comments = {
        (c.respondent_id, c.principle_id): c.text
        for c in PrincipleComment.objects.filter(respondent_id__in=ids)
    }
    dimensions = {
        (d.respondent_id, d.dimension_id): d
        for d in DimensionAnswer.objects.filter(respondent_id__in=ids)
    }
    balances = {
        (b.respondent_id, b.kind): b for b in BalanceAnswer.objects.filter(respondent_id__in=ids)
    }
    principle_of = dict(Statement.objects.values_list("pk", "principle_id"))
    for ack in acks:
        respondent = respondents.get(hash_token(ack["token"])) if ack["token"] else None
        if ack["kind"] == "join":
            acknowledged["respondents"] += 1
            if respondent is None or respondent.assessment.join_code != ack["code"]:
                missing.append(f"the respondent who joined {ack['code'][:3]}… is not stored")
            continue
        if respondent is None:
            missing.append(f"{ack['page']}: saved for a respondent who is not stored")
            continue
        rid, sent, page = respondent.pk, ack["fields"], ack["page"]
        principle_id = None
        for name, value in sent.items():
            if name.startswith("statement_"):
                acknowledged["statement answers"] += 1
                statement_id = int(name.split("_")[1])
                principle_id = principle_of.get(statement_id)
                row = statements.get((rid, statement_id))
                stored = None if row is None else (DONT_KNOW if row.dont_know else str(row.value))
                if stored != value:
                    missing.append(f"{page} {name}: sent {value}, stored {stored}")
            elif name.startswith("dimension_"):
                acknowledged["dimension answers"] += 1
                _, dimension_id, side = name.split("_")
                row = dimensions.get((rid, int(dimension_id)))
                stored = None if row is None else str(getattr(row, side))
                if stored != value:
                    missing.append(f"{page} {name}: sent {value}, stored {stored}")
            elif name.startswith("balance_"):
                acknowledged["balance answers"] += 1
                _, kind, key = name.split("_")
                row = balances.get((rid, kind))
                stored = None if row is None else str(getattr(row, key))
                if stored != value:
                    missing.append(f"{page} {name}: sent {value}, stored {stored}")
        if "comment" in sent and sent["comment"].strip() and principle_id is not None:
            acknowledged["comments"] += 1
            stored = comments.get((rid, principle_id))
            if stored != sent["comment"].strip():
                missing.append(f"{page} comment: sent {sent['comment']!r}, stored {stored!r}")
    for_codes = {"respondent__assessment__join_code__in": codes}
    stored_counts = {
        "respondents": Respondent.objects.filter(assessment__join_code__in=codes).count(),
        # Balance and dimension rows hold two answers each (now and desired; market,
        # hierarchy, trust for each balance): counted as answers, like the acknowledged ones.
        "statement answers": StatementAnswer.objects.filter(**for_codes).count(),
        "dimension answers": 2 * DimensionAnswer.objects.filter(**for_codes).count(),
        "balance answers": 3 * BalanceAnswer.objects.filter(**for_codes).count(),
        "comments": PrincipleComment.objects.filter(**for_codes).count(),
    }
    return Verification(dict(acknowledged), stored_counts, missing)


def print_verification(result: Verification) -> None:
    print("acknowledged by the server vs stored in the database:")
    for name, stored in result.stored.items():
        print(
            f"  {name:<18} acknowledged {result.acknowledged.get(name, 0):>7}  stored {stored:>7}"
        )
    if result.missing:
        print(f"MISSING: {len(result.missing)} acknowledged answers are not stored as sent:")
        for line in result.missing[:20]:
            print(f"  {line}")
    else:
        print("every acknowledged answer is stored as it was sent")


def acks_as_dicts(run: RunResult) -> list[dict]:
    return [
        {"code": a.code, "token": a.token, "page": a.page, "kind": a.kind, "fields": a.fields}
        for a in run.acks
    ]


# ---------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------


def per_assessment(participants: int, assessments: int) -> int:
    return max(1, math.ceil(participants / assessments))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("prepare", help="create assessments open for answers (Django)")
    p.add_argument("--assessments", type=int, default=20)
    p.add_argument("--expected", type=int, default=25, help="respondents expected in each")
    p.add_argument("--out", type=Path, help="write the codes here as JSON (else stdout)")

    def client_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--base-url", default="http://127.0.0.1:8000")
        command.add_argument("--participants", type=int, default=400)
        command.add_argument("--concurrency", type=int, default=16)
        command.add_argument(
            "--floor",
            default="",
            help="path of the floor request (default: /healthz, else /ramverk/)",
        )
        command.add_argument("--floor-requests", type=int, default=1000)
        command.add_argument("--seed", type=int, default=1)
        command.add_argument(
            "--warmup",
            type=int,
            default=8,
            help="participants walked first and left out of the figures (their saves are "
            "verified too)",
        )

    r = commands.add_parser("run", help="walk participants through the pages (HTTP only)")
    client_options(r)
    r.add_argument("--codes", type=Path, required=True, help="JSON from prepare")
    r.add_argument("--acks", type=Path, required=True, help="write acknowledged saves here")

    v = commands.add_parser("verify", help="check acknowledged saves in the database (Django)")
    v.add_argument("--acks", type=Path, required=True)

    b = commands.add_parser("bench", help="prepare, run and verify")
    client_options(b)
    b.add_argument("--assessments", type=int, default=20)

    args = parser.parse_args(argv)
    if args.command == "prepare":
        django_setup()
        prepared = prepare(args.assessments, args.expected)
        text = json.dumps(prepared, indent=1)
        if args.out:
            args.out.write_text(text)
            print(f"{len(prepared['codes'])} assessments open (tag {prepared['tag']})")
        else:
            print(text)
        return 0
    if args.command == "verify":
        saved = json.loads(args.acks.read_text())
        django_setup()
        result = verify(saved["acks"], saved["codes"])
        print_verification(result)
        return 0 if result.ok else 1

    if args.command == "bench":
        django_setup()
        expected = per_assessment(args.participants, args.assessments) + per_assessment(
            args.warmup, args.assessments
        )
        prepared = prepare(args.assessments, expected)
        codes = prepared["codes"]
        print(
            f"prepared {len(codes)} assessments (tag {prepared['tag']}), "
            f"{expected} expected in each"
        )
    else:
        codes = json.loads(args.codes.read_text())["codes"]
    print(f"{os.cpu_count()} CPUs here; load average before: {_load()}")
    runs = []
    if args.warmup:
        # Each worker compiles its templates on first use: not what a meeting week feels.
        runs.append(
            run_participants(
                args.base_url, codes, args.warmup, args.concurrency, seed=args.seed + 7919
            )
        )
    run = run_participants(
        args.base_url, codes, args.participants, args.concurrency, seed=args.seed
    )
    runs.append(run)
    try:
        floor_path = args.floor or find_floor(args.base_url)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    floor = run_floor(args.base_url, floor_path, args.floor_requests, args.concurrency)
    if args.warmup:
        print(f"warm-up: {args.warmup} participants first, not in the figures below")
    print(f"floor: GET {floor_path}")
    figures = report(run, floor, concurrency=args.concurrency)
    print(f"load average after: {_load()}")
    acks = [ack for each in runs for ack in acks_as_dicts(each)]
    if args.command == "run":
        args.acks.write_text(json.dumps({"codes": codes, "acks": acks}))
        print(f"acknowledged saves written to {args.acks}")
        return 0 if figures["finished"] else 1
    result = verify(acks, codes)
    print_verification(result)
    return 0 if result.ok and figures["finished"] else 1


def _load() -> str:
    with contextlib.suppress(OSError):
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    return "unknown"


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
