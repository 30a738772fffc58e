"""Batches of unit reports: built in the background, progress shown, failures per unit."""

import io
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from assessments import generate
from assessments.models import RoleKind, Unit
from batches import storage, tasks
from batches.models import Batch, BatchStatus
from reports import stored
from reports.models import StoredReport
from tests.factories import make_round, make_version
from tests.factories_compare import complete

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.7 test\n%%EOF\n"


def test_it_runs_tasks_at_once_in_tests():
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")


@pytest.fixture
def fifty(client):
    """The generated organisation with 50 units, its quality developer logged in."""
    make_version(principles=2, statements=1, dimensions=1, published=True)
    result = generate.generate_org(units=50, respondents=1, departments=2, seed=5)
    client.force_login(result.root.roles.get(kind=RoleKind.QUALITY_DEVELOPER).user)
    return result


def ask_for_batch(client, round_, node):
    response = client.post(reverse("batch_create", args=[round_.pk, node.pk]))
    assert response.status_code == 302
    batch = Batch.objects.latest("pk")
    assert response["Location"] == reverse("batch_detail", args=[batch.pk])
    return batch


def test_it_builds_a_zip_of_fifty_reports_and_reports_the_one_that_failed(client, fifty):
    failing = Unit.objects.get(code="GEN-02-0007")
    progress: list[int] = []

    def renderer(assessment, *, language, audience):
        progress.append(Batch.objects.get().done)  # what a poll would see right now
        assert Batch.objects.get().status == BatchStatus.RUNNING
        if assessment.unit_id == failing.pk:
            raise RuntimeError("WeasyPrint fell over")
        return FAKE_PDF + assessment.unit.code.encode()

    with mock.patch.object(stored, "render_pdf", side_effect=renderer):
        batch = ask_for_batch(client, fifty.round, fifty.root)

    assert progress == list(range(50))  # the count moved on with every unit
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert (batch.done, batch.total) == (50, 50)
    failure = batch.failures.get()
    assert failure.unit_code == "GEN-02-0007"
    assert "RuntimeError" in failure.message and "WeasyPrint" not in failure.message

    status = client.get(reverse("batch_status", args=[batch.pk])).json()
    assert status["finished"] and status["percent"] == 100
    assert status["failures"] == [
        {"unit": failing.name, "code": "GEN-02-0007", "message": failure.message}
    ]
    assert status["download_url"] == reverse("batch_download", args=[batch.pk])

    response = client.get(status["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == 49
    assert not any(name.startswith("GEN-02-0007") for name in pdfs)
    assert archive.read(pdfs[0]).startswith(b"%PDF")
    note = next(name for name in archive.namelist() if name.endswith(".txt"))
    assert "GEN-02-0007" in archive.read(note).decode()


def test_it_shows_progress_on_a_page_that_polls(client, fifty):
    with mock.patch("batches.views.build_batch") as task:  # queued, not run yet
        task.enqueue.return_value.id = "t-1"
        batch = ask_for_batch(client, fifty.round, fifty.root)
    html = client.get(reverse("batch_detail", args=[batch.pk])).content.decode()
    assert 'role="progressbar"' in html and 'aria-live="polite"' in html
    assert reverse("batch_status", args=[batch.pk]) in html
    assert "js/batch.js" in html
    status = client.get(reverse("batch_status", args=[batch.pk])).json()
    assert status["status"] == BatchStatus.QUEUED and not status["finished"]
    assert status["download_url"] == ""
    assert client.get(reverse("batch_download", args=[batch.pk])).status_code == 404


def test_it_never_offers_a_half_written_zip(client, fifty, media_root):
    def explode(temporary, name):
        raise OSError("disk full")

    with (
        mock.patch.object(stored, "render_pdf", return_value=FAKE_PDF),
        mock.patch.object(storage, "put_in_place", side_effect=explode),
    ):
        batch = ask_for_batch(client, fifty.round, fifty.root)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.file == ""
    assert not list(Path(media_root).glob("batches/*"))  # no leftovers
    assert client.get(reverse("batch_download", args=[batch.pk])).status_code == 404


def test_it_fails_the_batch_when_no_report_could_be_made(client, fifty, media_root):
    with mock.patch.object(stored, "render_pdf", side_effect=ValueError("nope")):
        batch = ask_for_batch(client, fifty.round, fifty.root)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.failures.count() == 50
    assert not list(Path(media_root).glob("batches/*"))


def test_it_does_not_run_a_batch_twice(client, fifty):
    with mock.patch.object(stored, "render_pdf", return_value=FAKE_PDF) as renderer:
        batch = ask_for_batch(client, fifty.round, fifty.root)
        tasks.run(batch.pk)
    assert renderer.call_count == 50


def test_it_covers_only_what_its_creator_oversees(org, client):
    version = make_version(principles=1, statements=1, published=True)
    round_ = make_round(org.root, version)
    for unit in (org.a1, org.a2, org.b1):
        complete(round_, unit, respondents=1)
    client.force_login(org.quality_developer)
    with mock.patch.object(stored, "render_pdf", return_value=FAKE_PDF):
        batch = ask_for_batch(client, round_, org.dep_a)
        # The organisation's root is not theirs: no batch of it.
        response = client.post(reverse("batch_create", args=[round_.pk, org.root.pk]))
    assert response.status_code == 404
    batch.refresh_from_db()
    names = zipfile.ZipFile(storage.open_file(batch.file)).namelist()
    assert sorted(names) == ["A1-enhet-a1.pdf", "A2-enhet-a2.pdf"]


def test_it_hides_a_batch_from_everyone_but_its_creator(org, client):
    version = make_version(principles=1, statements=1, published=True)
    round_ = make_round(org.root, version)
    complete(round_, org.a1, respondents=1)
    client.force_login(org.quality_developer)
    with mock.patch.object(stored, "render_pdf", return_value=FAKE_PDF):
        batch = ask_for_batch(client, round_, org.dep_a)
    for name in ("quality_developer_elsewhere", "manager_of_a", "outsider"):
        client.force_login(getattr(org, name))
        for view in ("batch_detail", "batch_status", "batch_download"):
            assert client.get(reverse(view, args=[batch.pk])).status_code == 404, (name, view)
    client.force_login(org.quality_developer)
    assert client.get(reverse("batch_download", args=[batch.pk])).status_code == 200


def test_it_asks_for_a_batch_only_by_post(org, client):
    client.force_login(org.quality_developer)
    version = make_version(published=True)
    round_ = make_round(org.root, version)
    assert client.get(reverse("batch_create", args=[round_.pk, org.dep_a.pk])).status_code == 405


def test_it_removes_the_file_with_the_batch(org, client):
    version = make_version(principles=1, statements=1, published=True)
    round_ = make_round(org.root, version)
    complete(round_, org.a1, respondents=1)
    client.force_login(org.quality_developer)
    with mock.patch.object(stored, "render_pdf", return_value=FAKE_PDF):
        batch = ask_for_batch(client, round_, org.dep_a)
    batch.refresh_from_db()
    assert batch.file.startswith("batches/") and default_storage.exists(batch.file)
    batch.delete()
    assert not default_storage.exists(batch.file)


def test_it_refuses_a_stored_name_outside_the_batch_folder():
    from django.core.exceptions import SuspiciousFileOperation

    for name in ("../settings.py", "batches/../../x.zip", "/etc/passwd", ""):
        with pytest.raises(SuspiciousFileOperation):
            storage.check_name(name)


def test_it_builds_real_pdfs_for_three_units(org, client):
    """Once end to end with the real unit report and WeasyPrint."""
    from pypdf import PdfReader

    version = make_version(principles=2, statements=2, dimensions=2, published=True)
    round_ = make_round(org.root, version)
    for unit in (org.a1, org.a2, org.b1):
        complete(round_, unit, respondents=5)
    client.force_login(org.administrator)
    batch = ask_for_batch(client, round_, org.root)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE, list(batch.failures.values_list("message", flat=True))
    assert (batch.done, batch.total) == (3, 3) and not batch.failures.exists()
    archive = zipfile.ZipFile(storage.open_file(batch.file))
    assert sorted(archive.namelist()) == [
        "A1-enhet-a1.pdf",
        "A2-enhet-a2.pdf",
        "B1-enhet-b1.pdf",
    ]
    text = PdfReader(io.BytesIO(archive.read("A2-enhet-a2.pdf"))).pages[0].extract_text()
    assert "Enhet A2" in text


def test_it_builds_the_zip_from_stored_pdfs_and_renders_only_the_missing_ones(org, client):
    version = make_version(principles=1, statements=1, published=True)
    round_ = make_round(org.root, version)
    first = complete(round_, org.a1, respondents=1)
    complete(round_, org.a2, respondents=1)
    # A1's report was stored before (at completion); A2's never was.
    with mock.patch.object(stored, "render_pdf", return_value=FAKE_PDF + b"A1 stored"):
        a1_pdf = stored.current_pdf(first, language="sv", audience="overseer")
    client.force_login(org.quality_developer)
    with mock.patch.object(stored, "render_pdf", return_value=FAKE_PDF + b"A2 now") as renderer:
        batch = ask_for_batch(client, round_, org.dep_a)
    assert renderer.call_count == 1  # A2 only
    batch.refresh_from_db()
    archive = zipfile.ZipFile(storage.open_file(batch.file))
    assert archive.read("A1-enhet-a1.pdf") == a1_pdf == FAKE_PDF + b"A1 stored"
    assert archive.read("A2-enhet-a2.pdf") == FAKE_PDF + b"A2 now"
    # A2's report is stored now too, for the next download or batch.
    assert StoredReport.objects.get(assessment__unit=org.a2, audience="overseer").is_current
