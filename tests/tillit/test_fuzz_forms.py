"""Hostile values into every form the app shows and both CSV imports.

The forms are not listed by hand: each persona's pages are fetched and every POST form on them
is read from the HTML, so a new form is fuzzed as soon as a page shows it. For each field,
hostile values replace the value a user would send (the page's own), one field at a time, and
each field is also sent twice. Every attempt must answer without a server error; an attempt
that is refused (anything but a redirect or a JSON success) must leave the stored data exactly
as it was. Each attempt runs in a savepoint that is rolled back, so all start from one state.

CI runs this on PostgreSQL, where NUL bytes, over-long text and out-of-range integers fail in
the database if nothing stops them before.
"""

import hashlib
import io
import itertools
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import importing
from assessments.models import AssessmentState
from principles.models import FrameworkVersion, Principle
from tests.factories_dialogue import make_unit_assessment

pytestmark = pytest.mark.django_db(transaction=False)

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 300,
    "å" * 5000,
    "+40",
    "40.0",
    " 40 ",
    "٤٠",
    "４０",
    "-1",
    "0",
    "9223372036854775807",
    "9223372036854775808",
    "1" * 40,
    "1e3",
    "NaN",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202eevil",
    "😀" * 10,
    "../../etc/passwd",
    "\r\n\t",
]
# Every field gets these (the values that broke things before); then PER_FIELD more, rotating
# through HOSTILE so that every value meets many fields while the run stays within a minute.
ALWAYS = ["", "a\x00b", "x" * 300]
PER_FIELD = 2
# Tables whose rows are a by-product of any request, not data a refusal could change.
NOT_STORED_DATA = {"axes", "sessions", "contenttypes", "django_tasks_database", "admin"}


class FormReader(HTMLParser):
    """The POST forms of a page: action and the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = {"action": a.get("action", ""), "fields": [], "files": []}
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "file":
                self._form["files"].append(name)
            elif kind in {"checkbox", "radio"}:
                first_radio = kind == "radio" and all(f[0] != name for f in self._form["fields"])
                if "checked" in a or first_radio:
                    self._form["fields"].append([name, a.get("value", "on")])
            elif kind not in {"submit", "button", "image", "reset"}:
                self._form["fields"].append([name, a.get("value", "")])
        elif tag == "select" and name:
            self._select = name
            self._form["fields"].append([name, None])
        elif tag == "option" and self._select:
            current = next(f for f in self._form["fields"] if f[0] == self._select)
            if current[1] is None or "selected" in a:
                current[1] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"].append([name, ""])
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            self._form.setdefault("submit", [name, a.get("value", "")])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            field_ = next(f for f in reversed(self._form["fields"]) if f[0] == self._textarea)
            field_[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@dataclass
class Form:
    page: str
    action: str
    fields: list[tuple[str, str]]
    files: list[str] = field(default_factory=list)

    def data(self) -> dict[str, list[str]]:
        data: dict[str, list[str]] = {}
        for name, value in self.fields:
            data.setdefault(name, []).append(value or "")
        return data


def forms_on(client: Client, url: str) -> list[Form]:
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    reader = FormReader()
    reader.feed(response.content.decode())
    page = response.request["PATH_INFO"]
    forms = []
    for raw in reader.forms:
        fields = [(n, v or "") for n, v in raw["fields"] if n != "csrfmiddlewaretoken"]
        if "submit" in raw:
            fields.append(tuple(raw["submit"]))
        # The language switcher on every page is one form, fuzzed once.
        if raw["action"].endswith("/i18n/setlang/") and page != "/ramverk/":
            continue
        forms.append(Form(page, raw["action"] or page, fields, raw["files"]))
    return forms


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


def data_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label not in NOT_STORED_DATA and not model._meta.proxy
    }


def wrote_data(queries: list[dict]) -> bool:
    """Whether any statement sent wrote to a table of the app's data (a cheap first look: only
    then is every row read and compared)."""
    tables = data_tables()
    for query in queries:
        match = _WRITE.match(query["sql"])
        if match and match.group(1) in tables:
            return True
    return False


def fingerprint() -> str:
    """A digest of every row of every table that holds the app's data."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.app_label in NOT_STORED_DATA or model._meta.proxy:
            continue
        digest.update(model._meta.label.encode())
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


class Rollback(Exception):
    pass


@dataclass
class Outcome:
    attempts: int = 0
    failures: list[str] = field(default_factory=list)
    before: str | None = None


def attempt(client: Client, url: str, data: dict, outcome: Outcome, label: str) -> None:
    """Post once inside a savepoint that is rolled back; record what went wrong.

    Every attempt starts from the same stored state (the one before it was rolled back), so
    the state is read once per round of attempts; after a refusal it is read again only if the
    request sent a write to one of the app's tables.
    """
    outcome.attempts += 1
    cache.clear()  # rate limits must not hide what a value does
    if outcome.before is None:
        outcome.before = fingerprint()
    before = outcome.before
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as sent:
            try:
                response = client.post(url, data)
            except Exception as error:  # a server error, raised by the test client
                outcome.failures.append(f"{label}: {type(error).__name__}: {error}"[:300])
                raise Rollback from error
            accepted = response.status_code in {301, 302, 303} or (
                response.status_code < 300
                and response.get("Content-Type", "").startswith("application/json")
                and json.loads(response.content).get("ok", True) is not False
            )
            if response.status_code >= 500:
                outcome.failures.append(f"{label}: {response.status_code}")
            elif not accepted and wrote_data(sent.captured_queries) and fingerprint() != before:
                outcome.failures.append(f"{label}: refused ({response.status_code}) but stored")
            raise Rollback
    except Rollback:
        pass


def fuzz(client: Client, forms: list[Form], outcome: Outcome) -> None:
    rotation = itertools.cycle([value for value in HOSTILE if value not in ALWAYS])
    outcome.before = None  # what this persona's pages did before the attempts is theirs
    for form in forms:
        base = form.data()
        for name in base:
            values = [*ALWAYS, *itertools.islice(rotation, PER_FIELD)]
            for value in values:
                data = {**base, name: [value]}
                attempt(client, form.action, data, outcome, f"{form.page} {name}={value[:20]!r}")
            twice = {**base, name: [*base[name], "1"]}
            attempt(client, form.action, twice, outcome, f"{form.page} {name} sent twice")


def logged_in(user) -> Client:
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def scene(org):
    """A running assessment for participants, one in dialogue for its manager."""
    individual = make_unit_assessment(
        org, state=AssessmentState.INDIVIDUAL, expected_respondents=10
    )
    version = individual.round.framework_version
    dialogue = make_unit_assessment(org, unit=org.a1, state=AssessmentState.DIALOGUE)
    return SimpleNamespace(individual=individual, dialogue=dialogue, version=version)


def participant_pages(client: Client, assessment) -> list[str]:
    code = assessment.join_code
    client.post(reverse("join_link", args=[code]))
    principles = Principle.objects.filter(version=assessment.round.framework_version).count()
    return [
        *(reverse("participant_principle", args=[code, n]) for n in range(1, principles + 1)),
        reverse("participant_dimensions", args=[code]),
        reverse("participant_balance", args=[code]),
    ]


def test_it_survives_hostile_values_in_every_form(org, scene):
    outcome = Outcome()
    version = FrameworkVersion.objects.order_by("pk").first()
    pages = [
        (
            None,
            [
                reverse("login"),
                reverse("password_reset"),
                reverse("accessibility"),
                reverse("join"),
                reverse("framework"),
            ],
        ),
        (None, "participant"),
        (
            org.manager_of_a,
            [
                reverse("manager_assessment", args=[scene.individual.pk]),
                reverse("manager_dialogue", args=[scene.dialogue.pk]),
                reverse("manager_action_create", args=[scene.dialogue.pk]),
                reverse("manager_complete", args=[scene.dialogue.pk]),
            ],
        ),
        (org.quality_developer, [reverse("round_create")]),
        (
            org.administrator,
            [
                reverse("admin:assessments_unit_change", args=[org.a1.pk]),
                reverse("admin:assessments_role_add"),
                reverse(
                    "admin:principles_principle_change",
                    args=[Principle.objects.filter(version=version).first().pk],
                ),
                reverse("admin:auth_user_add"),
            ],
        ),
    ]
    seen = 0
    for user, urls in pages:
        client = logged_in(user)
        if urls == "participant":
            urls = participant_pages(client, scene.individual)
        forms = [form for url in urls for form in forms_on(client, url)]
        seen += len(forms)
        fuzz(client, forms, outcome)
    print(f"fuzzed {seen} forms with {outcome.attempts} hostile inputs")
    assert seen >= 15
    assert outcome.failures == [], "\n".join(outcome.failures[:40])


def test_it_survives_a_save_field_request_with_hostile_values(org, scene):
    outcome = Outcome()
    client = logged_in(org.manager_of_a)
    url = reverse("manager_save_field", args=[scene.dialogue.pk])
    principle = Principle.objects.filter(version=scene.dialogue.round.framework_version).first()
    base = {"item": f"principle-{principle.pk}", "field": "score", "value": "3", "base": ""}
    for name in base:
        for value in HOSTILE:
            attempt(client, url, {**base, name: value}, outcome, f"save_field {name}={value!r}")
        attempt(client, url, {**base, name: [base[name], "1"]}, outcome, f"{name} twice")
    assert outcome.attempts == 4 * (len(HOSTILE) + 1)
    assert outcome.failures == [], "\n".join(outcome.failures[:40])


UNITS_CSV = "code,name,parent_code,kind\nORG,Exempelkommun,,organisation\nNY,Ny enhet,DEP-A,unit\n"
ROLES_CSV = "email,unit_code,role\nny.person@example.org,A1,manager\n"


def hostile_csvs(template: str) -> list[tuple[str, bytes]]:
    """The template with each cell of its last line replaced by each hostile value."""
    head, last = template.rstrip("\n").rsplit("\n", 1)
    cells = last.split(",")
    out = []
    for column, value in itertools.product(range(len(cells)), HOSTILE):
        row = list(cells)
        row[column] = '"' + value.replace('"', '""') + '"'
        out.append((f"column {column}={value[:20]!r}", f"{head}\n{','.join(row)}\n".encode()))
    return out


@pytest.mark.parametrize(
    ("service", "template", "command"),
    [
        (importing.import_units, UNITS_CSV, "import_units"),
        (importing.import_roles, ROLES_CSV, "import_roles"),
    ],
)
def test_it_survives_hostile_values_in_both_imports(org, tmp_path, service, template, command):
    """What the dry run accepts, the write stores; what it refuses, nothing stores."""
    failures = []
    cases = hostile_csvs(template)
    for label, data in cases:
        before = fingerprint()
        try:
            with transaction.atomic():
                preview = service(data, dry_run=True)
                if fingerprint() != before:
                    failures.append(f"{label}: the dry run stored something")
                result = service(data)
                if preview.ok != result.ok:
                    failures.append(f"{label}: dry run ok={preview.ok}, write ok={result.ok}")
                if not result.ok and fingerprint() != before:
                    failures.append(f"{label}: refused but stored")
                raise Rollback
        except Rollback:
            pass
        except Exception as error:
            failures.append(f"{label}: {type(error).__name__}: {error}"[:300])
    # The command runs the same service; one hostile file through it end to end.
    path = tmp_path / "hostile.csv"
    path.write_bytes(cases[1][1])  # a NUL in the first column
    before = fingerprint()
    with pytest.raises(CommandError):
        call_command(command, str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert fingerprint() == before
    assert len(cases) >= 3 * len(HOSTILE)
    assert failures == [], "\n".join(failures[:40])
