"""A unit's stored report is made again when another unit's completion or reopening changes
what it shows: the department median (and the same unit's later rounds), nothing else."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import task_backends
from pypdf import PdfReader

from assessments import workflow
from assessments.models import AssessmentState
from reports import stored
from reports.models import ReportState, StoredReport
from reports.tasks import render_stored_report
from tests.factories import make_assessment, make_round, make_unit, make_version
from tests.factories_reports import agree, complete, make_report_scenario

pytestmark = pytest.mark.django_db

SHOWN = "this unit and 3 others"
NOT_SHOWN = "No comparison with Förvaltning A"


def text_of(row: StoredReport) -> str:
    reader = PdfReader(io.BytesIO(stored.read(row)))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


@pytest.fixture
def queue(settings):
    """A queue nobody works yet, to see what was queued: the test renders as the worker does."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.results.clear()
    return backend


def queued_reports(queue) -> list[int]:
    return [r.args[0] for r in queue.results if r.task.name == render_stored_report.name]


def test_it_renders_a_units_report_again_when_a_neighbour_completes_or_reopens(
    org, queue, django_capture_on_commit_callbacks
):
    # Enhet A1 completed with two other completed units in Förvaltning A: too few for a median.
    scenario = make_report_scenario(org, respondents=5, neighbours=2)
    a1 = stored.wanted(scenario.assessment, language="en", audience="unit", queue=False)
    a1 = stored.render(a1.pk)
    assert a1.state == ReportState.READY
    assert NOT_SHOWN in text_of(a1) and SHOWN not in text_of(a1)
    # Reports that show nothing of Förvaltning A's new unit: another department's, and
    # Enhet A1's own report of the earlier round.
    b1 = make_assessment(scenario.round_now, org.b1)
    agree(b1, scores={"tillit": 3})
    complete(b1)
    untouched = [
        stored.wanted(b1, language="sv", audience="unit", queue=False),
        stored.wanted(scenario.before, language="sv", audience="unit", queue=False),
    ]

    # A third unit of Förvaltning A completes its dialogue.
    a5 = make_unit("DEP-A-5", "Enhet A5", parent=org.dep_a)
    neighbour = make_assessment(scenario.round_now, a5, state=AssessmentState.DIALOGUE)
    agree(neighbour, scores=dict.fromkeys(("tillit", "stod", "kunskap", "oppenhet"), 5))
    queue.results.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.complete(neighbour, org.administrator)

    a1_before = a1.version
    a1.refresh_from_db()
    assert a1.state == ReportState.PENDING and a1.version == a1_before + 1
    assert a1.queued_at is not None and a1.pk in queued_reports(queue)
    for row in untouched:
        version = row.version
        row.refresh_from_db()
        assert row.version == version and row.pk not in queued_reports(queue)
    a1 = stored.render(a1.pk)  # as the worker does
    assert a1.state == ReportState.READY
    text = text_of(a1)
    assert SHOWN in text and NOT_SHOWN not in text and "Department median" in text

    # Reopened: it no longer counts, and the report says so again.
    queue.results.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.reopen_completed(
            neighbour, org.administrator, reason="Fel enhet angavs som ansvarig."
        )
    a1.refresh_from_db()
    assert a1.state == ReportState.PENDING and a1.pk in queued_reports(queue)
    a1 = stored.render(a1.pk)
    assert NOT_SHOWN in text_of(a1) and SHOWN not in text_of(a1)


def test_it_marks_every_report_that_shows_the_unit_in_one_update(org):
    # Förvaltning A holds Enhet A1, Enhet A2 and a department of its own, Avdelning S, with
    # Enhet S1; Enhet R1 lies under the organisation with no department above it.
    section = make_unit("DEP-S", "Avdelning S", parent=org.dep_a, kind="department")
    s1 = make_unit("S1", "Enhet S1", parent=section)
    s2 = make_unit("S2", "Enhet S2", parent=section)
    r1 = make_unit("R1", "Enhet R1", parent=org.root)
    version = make_version(published=True)
    spring = make_round(
        org.root,
        version,
        name="VT",
        opens_on=datetime.date(2026, 2, 1),
        closes_on=datetime.date(2026, 5, 31),
    )
    autumn = make_round(org.root, version, name="HT")
    later = make_round(
        org.root,
        version,
        name="VT 2027",
        opens_on=datetime.date(2027, 2, 1),
        closes_on=datetime.date(2027, 5, 31),
    )

    def done(round_, unit):
        return make_assessment(
            round_, unit, state=AssessmentState.COMPLETED, completed_at=timezone.now()
        )

    made = {(unit.code, "HT"): done(autumn, unit) for unit in (org.a1, org.a2, s1, s2, org.b1, r1)}
    made[("A1", "VT")] = done(spring, org.a1)
    made[("A1", "VT 2027")] = done(later, org.a1)
    made[("A2", "VT 2027")] = done(later, org.a2)
    make_assessment(autumn, make_unit("A9", parent=org.dep_a))  # not completed: no report

    def shows(code: str) -> set[tuple[str, str]]:
        return {
            (a.unit.code, a.round.name)
            for a in stored.dependent_assessments(made[(code, "HT")]).select_related(
                "unit", "round"
            )
        }

    # S1 counts in Förvaltning A's median (A1, A2) and in Avdelning S's (S2); A1 counts only in
    # Förvaltning A's, not in Avdelning S's; B1 and R1 in nobody's. Each unit's later rounds
    # show its earlier ones (previous round, steering signals).
    assert shows("S1") == {("A1", "HT"), ("A2", "HT"), ("S2", "HT")}
    assert shows("A1") == {("A2", "HT"), ("A1", "VT 2027")}
    assert shows("B1") == set()
    assert shows("R1") == set()

    for assessment in made.values():
        for language in ("sv", "en"):
            stored.wanted(assessment, language=language, audience="unit", queue=False)
    with CaptureQueriesContext(connection) as queries:
        stored.others_changed(made[("S1", "HT")])
    updates = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and len(queries) == 4, [q["sql"] for q in queries]
    bumped = {
        (row.assessment.unit.code, row.assessment.round.name, row.language)
        for row in StoredReport.objects.filter(version=2).select_related(
            "assessment__unit", "assessment__round"
        )
    }
    assert bumped == {
        (code, "HT", language) for code in ("A1", "A2", "S2") for language in ("sv", "en")
    }
