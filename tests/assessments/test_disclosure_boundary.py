"""Only the disclosure module turns answers into figures.

Statically: no module outside a short list names an answer table. At run time: the views that
show figures of a completed assessment read released figures and never an answer table.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories_compare import compared_org

ANSWER_MODELS = {"StatementAnswer", "DimensionAnswer", "BalanceAnswer", "PrincipleComment"}
# Reverse accessors and lookups that reach the same tables from a respondent or assessment.
ANSWER_PATHS = ("statement_answers", "dimension_answers", "balance_answers")
ANSWER_TABLES = (
    "assessments_statementanswer",
    "assessments_dimensionanswer",
    "assessments_balanceanswer",
    "assessments_principlecomment",
)
# Who may name them, and why.
ALLOWED = {
    "assessments/models.py": "defines them",
    "assessments/disclosure.py": "the one road from answers to figures",
    "assessments/answers.py": "saves and shows one participant their own answers",
    "assessments/demo_rounds.py": "writes demo answers",
    "assessments/generate.py": "writes generated answers for benchmarks",
    "assessments/retention.py": "counts and deletes answers past their retention",
}
APPS = ("assessments", "batches", "principles", "tillit")


def _sources():
    base = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((base / app).rglob("*.py")):
            relative = path.relative_to(base).as_posix()
            if "/migrations/" not in relative:
                yield relative, path.read_text(encoding="utf-8")


def _answer_references(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id in ANSWER_MODELS:
            found.append(node.id)
        elif isinstance(node, ast.Attribute) and (
            node.attr in ANSWER_MODELS or node.attr in ANSWER_PATHS
        ):
            # answers.dimension_answers(respondent): the participant's own, through answers.py
            if not (isinstance(node.value, ast.Name) and node.value.id == "answers"):
                found.append(node.attr)
        elif (
            isinstance(node, ast.keyword)
            and node.arg
            and any(part in node.arg for part in ANSWER_PATHS)
        ):
            found.append(node.arg)
        elif isinstance(node, ast.alias) and node.name in ANSWER_MODELS:
            found.append(node.name)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and any(part in node.value for part in ANSWER_PATHS)
        ):
            found.append(node.value)
    return found


def test_it_finds_answer_references_where_they_are():
    """The scanner itself: it must see what it is looking for."""
    assert _answer_references("from x import StatementAnswer") == ["StatementAnswer"]
    assert _answer_references("r.statement_answers.all()") == ["statement_answers"]
    assert _answer_references("q.filter(respondent__statement_answers__value=1)")
    assert _answer_references("x = 1") == []


def test_it_reads_answers_only_in_the_modules_allowed_to():
    offenders = {
        path: sorted(set(refs))
        for path, source in _sources()
        if path not in ALLOWED and (refs := _answer_references(source))
    }
    assert offenders == {}, f"Answers read outside the disclosure module: {offenders}"


def test_it_reads_the_threshold_only_in_the_disclosure_module():
    offenders = [
        path
        for path, source in _sources()
        if "MIN_RESPONDENTS" in source
        and path not in ("assessments/disclosure.py",)
        and path != "tillit/settings.py"
    ]
    assert offenders == []


@pytest.fixture
def completed(org, settings):
    settings.MIN_RESPONDENTS = 5
    return compared_org(org)


@pytest.mark.parametrize(
    "name, args",
    [
        ("unit_report", lambda c: [c.a1.pk]),
        ("compare", lambda c: [c.round.pk, c.a1.unit.get_parent().pk]),
        ("compare_csv", lambda c: [c.round.pk, c.a1.unit.get_parent().pk]),
        ("compare_xlsx", lambda c: [c.round.pk, c.a1.unit.get_parent().pk]),
    ],
)
def test_it_shows_completed_figures_without_reading_an_answer(completed, org, client, name, args):
    client.force_login(org.quality_developer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name, args=args(completed)))
    assert response.status_code == 200
    touched = [q["sql"] for q in queries if any(t in q["sql"] for t in ANSWER_TABLES)]
    assert touched == []


def test_it_renders_the_stored_pdf_without_reading_an_answer(completed, org, client):
    from reports import stored
    from reports.models import ReportState, StoredReport

    client.force_login(org.quality_developer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("unit_report_pdf", args=[completed.a1.pk]))
        for row in StoredReport.objects.filter(assessment=completed.a1):
            stored.render(row.pk)  # what the background task does
    assert response.status_code in (200, 302)  # the file, or the page that waits for it
    assert StoredReport.objects.filter(assessment=completed.a1, state=ReportState.READY).exists()
    touched = [q["sql"] for q in queries if any(t in q["sql"] for t in ANSWER_TABLES)]
    assert touched == []
