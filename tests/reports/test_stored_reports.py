"""Unit reports are rendered in the background, stored through the storage API and served as
stored files: never rendered in a request."""

import io
import logging
import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_tasks import task
from pypdf import PdfReader

from assessments import agreements, workflow
from assessments.models import Action, ActionStatus, AssessmentState
from reports import stored
from reports.models import ReportState, StoredReport
from tests.factories_reports import make_report_scenario

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def renders(monkeypatch):
    """Counts calls of the renderer (WeasyPrint); each call still renders for real."""
    calls: list[tuple[int, str, str]] = []
    real = stored.render_pdf

    def counting(assessment, *, language, audience):
        calls.append((assessment.pk, language, audience))
        return real(assessment, language=language, audience=audience)

    monkeypatch.setattr(stored, "render_pdf", counting)
    return calls


@pytest.fixture
def completed(org, django_capture_on_commit_callbacks, renders):
    """Enhet A1's assessment completed by its manager: both reports rendered and stored."""
    scenario = make_report_scenario(org, respondents=5, state=AssessmentState.DIALOGUE)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.complete(scenario.assessment, org.manager_of_a)
    scenario.assessment.refresh_from_db()
    return scenario.assessment


def test_it_stores_both_reports_when_the_assessment_is_completed(completed, renders):
    rows = {r.audience: r for r in StoredReport.objects.filter(assessment=completed)}
    assert set(rows) == {"unit", "overseer"}
    assert sorted(a for _pk, _lang, a in renders) == ["overseer", "unit"]
    for row in rows.values():
        assert row.state == ReportState.READY and row.language == "sv"
        assert row.rendered_version == row.version and not row.preview
        assert row.file.name.startswith(f"reports/{completed.pk}/")
        assert default_storage.open(row.file.name).read().startswith(b"%PDF")
    assert "Oklart vad vi får besluta själva" in text_of(stored.read(rows["unit"]))
    assert "Oklart vad vi får besluta själva" not in text_of(stored.read(rows["overseer"]))


def test_it_replaces_the_stored_report_when_an_action_changes(
    completed, org, django_capture_on_commit_callbacks
):
    row = StoredReport.objects.get(assessment=completed, audience="unit")
    old_name, old_version = row.file.name, row.version
    before = text_of(stored.read(row))
    action = Action.objects.filter(assessment=completed, status=ActionStatus.IN_PROGRESS).first()

    with django_capture_on_commit_callbacks(execute=True):
        agreements.set_action_status(
            completed,
            action,
            org.manager_of_a,
            status=ActionStatus.DONE,
            lock_version=action.lock_version,
        )

    row.refresh_from_db()
    assert row.state == ReportState.READY and row.version == old_version + 1
    assert row.file.name != old_name and not default_storage.exists(old_name)
    after = text_of(stored.read(row))
    # The action's status, in the summary and the action plan: no longer in progress, done.
    assert after.count("Pågår") < before.count("Pågår")
    assert after.count("Klar") > before.count("Klar")


def test_it_keeps_and_offers_the_previous_file_when_a_render_fails(
    completed, org, persona, settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    row = StoredReport.objects.get(assessment=completed, audience="unit")
    before = stored.read(row)
    # A broken PDF template found before the real one: the render fails for real.
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "unit_report_pdf.html").write_text("{% if %}broken{% endif %}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    action = Action.objects.filter(assessment=completed).first()
    with (
        caplog.at_level(logging.ERROR, logger="reports.stored"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        agreements.set_action_status(
            completed,
            action,
            org.manager_of_a,
            status=ActionStatus.DONE,
            lock_version=action.lock_version,
        )

    row.refresh_from_db()
    assert row.state == ReportState.FAILED and "TemplateSyntaxError" in row.error
    assert row.rendered_version == row.version - 1  # the file is the one made before
    assert stored.read(row) == before
    assert any("report" in r.getMessage() and r.exc_info for r in caplog.records)

    client = persona("manager_of_a")
    pdf_url = reverse("unit_report_pdf", args=[completed.pk])
    response = client.get(pdf_url)
    assert response.status_code == 302 and "/status/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    with translation.override("sv"):  # the page speaks the report's language, Swedish
        failed = gettext(
            "The PDF could not be prepared. The error has been recorded for the administrator."
        )
        again = gettext("Try again")
    assert failed in page
    assert again in page and '<form method="post"' in page
    assert f"{pdf_url}?lang=sv&amp;previous=1" in page  # the version made before
    previous = client.get(pdf_url, {"lang": "sv", "previous": "1"})
    assert previous.status_code == 200 and streamed(previous) == before


def test_it_serves_the_stored_bytes_without_rendering(completed, persona, renders):
    renders.clear()
    row = StoredReport.objects.get(assessment=completed, audience="overseer")
    client = persona("quality_developer")
    url = reverse("unit_report_pdf", args=[completed.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # Session, user, the person's roles, the assessment (scoped twice: managed, overseen) and
    # the stored report: no report data is read.
    assert len(queries) <= 6, [q["sql"] for q in queries]
    assert streamed(response) == stored.read(row)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert renders == []


def test_it_gives_404_for_a_foreign_units_stored_report(completed, persona):
    for name in ("manager_of_b", "quality_developer_elsewhere", "outsider"):
        client = persona(name)
        for view in ("unit_report_pdf", "unit_report_pdf_status"):
            url = reverse(view, args=[completed.pk])
            assert client.get(url).status_code == 404, (name, view)
            assert client.get(url, {"previous": "1"}).status_code == 404, (name, view)
        assert (
            client.post(reverse("unit_report_pdf_status", args=[completed.pk])).status_code == 404
        )
        client.logout()
    assert StoredReport.objects.filter(assessment=completed).count() == 2  # none made for them


def test_it_says_the_report_is_being_prepared_while_it_waits(org, persona, settings, renders):
    # A queue that nobody works: the report waits, as it does while the worker is busy.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    scenario = make_report_scenario(org, respondents=5)
    client = persona("quality_developer")
    status_url = reverse("unit_report_pdf_status", args=[scenario.assessment.pk])

    response = client.get(reverse("unit_report_pdf", args=[scenario.assessment.pk]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == status_url
    assert "Pdf-filen tas fram: den väntar på sin tur." in html  # Swedish, the default
    client.cookies["django_language"] = "en"
    html = client.get(status_url, {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The PDF is being prepared: it is waiting for its turn." in html
    assert 'role="status"' in html and "report-status.js" in html
    assert "Download the previous version" not in html  # there is none yet
    facts = client.get(status_url, {"format": "json"}).json()
    assert facts["state"] == "pending" and not facts["ready"] and facts["download_url"] == ""
    assert renders == []


def test_it_never_stores_a_stale_render_over_a_newer_one(completed, org, monkeypatch):
    row = StoredReport.objects.get(assessment=completed, audience="unit")
    real = stored.render_pdf
    calls = []

    def change_meanwhile(assessment, *, language, audience):
        calls.append(1)
        if len(calls) == 1:
            # While this (older) render runs, something changes and a newer render finishes.
            stored.changed(assessment)
            newer = stored.render(row.pk)
            assert newer.state == ReportState.READY
        return real(assessment, language=language, audience=audience)

    monkeypatch.setattr(stored, "render_pdf", change_meanwhile)
    StoredReport.objects.filter(pk=row.pk).update(fingerprint="")  # WeasyPrint must run
    stored.changed(completed)
    stored.render(row.pk)

    row.refresh_from_db()
    assert len(calls) == 2
    assert row.state == ReportState.READY and row.rendered_version == row.version
    # Only the stored files are left: the older render's file was thrown away.
    kept = sorted(
        n.rsplit("/", 1)[1]
        for n in StoredReport.objects.filter(assessment=completed).values_list("file", flat=True)
    )
    assert sorted(default_storage.listdir(f"reports/{completed.pk}")[1]) == kept


def test_it_renders_a_preview_on_demand_and_again_after_a_change(
    org, persona, renders, django_capture_on_commit_callbacks
):
    scenario = make_report_scenario(org, respondents=5, state=AssessmentState.DIALOGUE)
    assessment = scenario.assessment
    client = persona("manager_of_a")
    url = reverse("unit_report_preview_pdf", args=[assessment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 302  # queued, not rendered here
    first = client.get(url)
    assert first["Content-Disposition"].endswith('-forhandsvisning.pdf"')
    assert len(renders) == 1

    action = Action.objects.filter(assessment=assessment).first()
    agreements.update_action(
        assessment, action, org.manager_of_a, lock_version=action.lock_version, title="Ny titel"
    )
    row = StoredReport.objects.get(assessment=assessment)
    assert row.state == ReportState.PENDING and row.queued_at is None  # on demand: not queued
    with django_capture_on_commit_callbacks(execute=True):
        waiting = client.get(url)
    assert waiting.status_code == 302
    assert "Ny titel" in text_of(streamed(client.get(url)))
    assert len(renders) == 2


def test_it_skips_weasyprint_when_nothing_shown_has_changed(completed, renders):
    renders.clear()
    row = StoredReport.objects.get(assessment=completed, audience="unit")
    name = row.file.name
    stored.changed(completed)  # a change that changes nothing the report shows
    row = stored.render(row.pk)
    assert row.state == ReportState.READY and row.file.name == name
    assert renders == []


_THREADS_SEEN: list[int] = []


@task()
def _where_am_i() -> None:
    _THREADS_SEEN.append(threading.get_ident())


def test_it_runs_tasks_outside_the_calling_thread_on_the_embedded_default():
    from tillit.tasks import ThreadBackend

    backend = ThreadBackend("thread", {"QUEUES": [], "OPTIONS": {}})
    _THREADS_SEEN.clear()
    done = threading.Event()
    original = backend._execute_task

    def execute(result):
        try:
            original(result)
        finally:
            done.set()

    backend._execute_task = execute
    result = backend.enqueue(_where_am_i, (), {})
    assert done.wait(10)
    assert result.errors == [] and _THREADS_SEEN
    assert _THREADS_SEEN[0] != threading.get_ident()
