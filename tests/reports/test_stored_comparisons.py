"""The comparison PDF is rendered in the background, stored through the storage API and served
as a stored file, keyed by what the viewer may see: never rendered in a request."""

import io
import logging

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from assessments import workflow
from assessments.views.compare import comparison_pdf_html
from reports import stored_comparisons
from reports.models import ReportState, StoredComparison
from tests.factories_compare import compared_org
from tests.factories_governance import make_signal
from tests.factories_reports import body, render_waiting_reports

pytestmark = pytest.mark.django_db

SIGNALS_HEADING = "Steering signals named by the units"


def text_of(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def renders(monkeypatch):
    """Counts calls of the renderer (WeasyPrint); each call still renders for real."""
    calls: list[str] = []
    real = stored_comparisons.render_pdf

    def counting(html, *, title, language):
        calls.append(title)
        return real(html, title=title, language=language)

    monkeypatch.setattr(stored_comparisons, "render_pdf", counting)
    return calls


@pytest.fixture
def compared(org):
    return compared_org(org)


def urls(compared, org) -> tuple[str, str]:
    args = [compared.round.pk, org.dep_a.pk]
    return reverse("compare_pdf", args=args), reverse("compare_pdf_status", args=args)


def test_it_renders_the_comparison_in_the_background_not_in_the_request(
    compared, org, persona, renders, django_capture_on_commit_callbacks
):
    client = persona("quality_developer")
    pdf_url, status_url = urls(compared, org)

    first = client.get(pdf_url, HTTP_ACCEPT_LANGUAGE="en")

    # The request answered with the status page and queued the render; WeasyPrint did not run.
    assert first.status_code == 302 and first["Location"] == f"{status_url}?lang=en"
    assert renders == []
    row = StoredComparison.objects.get()
    assert (row.round, row.node, row.language, row.audience) == (
        compared.round,
        org.dep_a,
        "en",
        "signals",
    )
    assert row.state == ReportState.PENDING and not row.has_file and row.source
    page = client.get(first["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Comparison of units as PDF" in page and "Förvaltning A" in page
    assert "The PDF is being prepared: it is waiting for its turn." in page
    assert 'role="status"' in page and "report-status.js" in page
    assert reverse("compare", args=[compared.round.pk, org.dep_a.pk]) in page
    facts = client.get(status_url, {"lang": "en", "format": "json"}).json()
    assert facts["state"] == "pending" and not facts["ready"] and facts["download_url"] == ""

    # The worker renders it; the next request is served the stored file.
    assert render_waiting_reports() == 1
    assert len(renders) == 1
    row.refresh_from_db()
    assert row.state == ReportState.READY and row.source == ""
    assert row.file.name.startswith(f"reports/comparisons/{compared.round.pk}/{org.dep_a.pk}/")
    facts = client.get(status_url, {"lang": "en", "format": "json"}).json()
    assert facts["ready"] and facts["download_url"] == f"{pdf_url}?lang=en"
    second = client.get(pdf_url, HTTP_ACCEPT_LANGUAGE="en")
    assert second.status_code == 200 and second["Content-Type"] == "application/pdf"
    data = body(second)
    assert data == default_storage.open(row.file.name).read()
    text = text_of(data)
    assert "Enhet A1" in text and "Enhet A2" in text and "Enhet B1" not in text

    # Nothing it shows has changed: the same file again, and nothing rendered or queued.
    again = client.get(pdf_url, HTTP_ACCEPT_LANGUAGE="en")
    assert body(again) == data and len(renders) == 1
    assert StoredComparison.objects.get().version == row.version


def test_it_gives_viewers_who_may_see_different_things_different_files(
    compared, org, persona, renders
):
    make_signal(compared.a1, "Dubbel dokumentation")
    round_, node = compared.round, org.dep_a
    made = {}
    # Everyone who may compare may see the signals' totals today; a viewer who may not gets
    # the comparison without them, and that HTML is what such a viewer's request hands over.
    for audience in (stored_comparisons.AUDIENCE_SIGNALS, stored_comparisons.AUDIENCE_PLAIN):
        html, title = comparison_pdf_html(
            org.quality_developer, round_, node, language="en", audience=audience
        )
        row, current = stored_comparisons.wanted(
            round_, node, language="en", audience=audience, html=html, title=title
        )
        assert not current
        made[audience] = stored_comparisons.render(row.pk)
    signals, plain = made["signals"], made["plain"]
    assert signals.pk != plain.pk and signals.file.name != plain.file.name
    assert SIGNALS_HEADING in text_of(body_of(signals))
    assert SIGNALS_HEADING not in text_of(body_of(plain))
    assert "Enhet A1" in text_of(body_of(plain))

    # A quality developer and an administrator see the same: both get the signals' file, which
    # is rendered once; never the other audience's.
    pdf_url = reverse("compare_pdf", args=[round_.pk, node.pk])
    for name in ("quality_developer", "administrator"):
        response = persona(name).get(pdf_url, {"lang": "en"})
        assert response.status_code == 200, name
        assert body(response) == body_of(signals), name
    assert len(renders) == 2
    # In Swedish it is another file, with Swedish texts.
    response = persona("quality_developer").get(pdf_url, {"lang": "sv"})
    assert response.status_code == 302
    assert StoredComparison.objects.filter(language="sv", audience="signals").count() == 1


def body_of(row: StoredComparison) -> bytes:
    with default_storage.open(row.file.name, "rb") as handle:
        return handle.read()


def test_it_keeps_and_offers_the_previous_file_when_a_render_fails(
    compared, org, persona, monkeypatch, caplog
):
    client = persona("quality_developer")
    pdf_url, status_url = urls(compared, org)
    assert client.get(pdf_url).status_code == 302
    render_waiting_reports()
    row = StoredComparison.objects.get()
    before, old_name = body_of(row), row.file.name
    assert "1 av 3" in text_of(before) or "2 av 3" in text_of(before)

    # Enhet A3 completes: the comparison now shows it, so the next ask queues a new render...
    workflow.complete(compared.a3_assessment, org.administrator)
    assert client.get(pdf_url).status_code == 302
    row.refresh_from_db()
    assert row.state == ReportState.PENDING and row.wanted != row.fingerprint

    # ... which fails (the renderer stops with an error).
    def broken(html, *, title, language):
        raise OSError("the renderer ran out of memory")

    monkeypatch.setattr(stored_comparisons, "render_pdf", broken)
    with caplog.at_level(logging.ERROR, logger="reports.stored_comparisons"):
        render_waiting_reports()
    row.refresh_from_db()
    assert row.state == ReportState.FAILED and "OSError" in row.error
    assert row.file.name == old_name and body_of(row) == before  # the file made before stays
    assert any("comparison" in r.getMessage() and r.exc_info for r in caplog.records)

    # The page says so, offers to try again and the version made before.
    response = client.get(pdf_url)
    assert response.status_code == 302 and response["Location"] == f"{status_url}?lang=sv"
    page = client.get(response["Location"]).content.decode()
    with translation.override("sv"):
        failed = gettext(
            "The PDF could not be prepared. The error has been recorded for the administrator."
        )
    assert failed in page and '<form method="post"' in page
    assert f"{pdf_url}?lang=sv&amp;previous=1" in page
    previous = client.get(pdf_url, {"lang": "sv", "previous": "1"})
    assert previous.status_code == 200 and body(previous) == before
    # Asking again does not queue the failed render again by itself.
    client.get(pdf_url)
    row.refresh_from_db()
    assert row.state == ReportState.FAILED

    # Trying again, with the renderer working: the new file replaces the old, which is removed.
    monkeypatch.undo()
    assert client.post(f"{status_url}?lang=sv").status_code == 302
    row.refresh_from_db()
    assert row.state == ReportState.PENDING
    render_waiting_reports()
    row.refresh_from_db()
    assert row.state == ReportState.READY and row.file.name != old_name
    assert not default_storage.exists(old_name)
    assert default_storage.listdir(f"reports/comparisons/{compared.round.pk}/{org.dep_a.pk}")[
        1
    ] == [row.file.name.rsplit("/", 1)[1]]
    after = body(client.get(pdf_url))
    assert "3 av 3" in text_of(after)


def test_it_gives_404_for_a_foreign_part_of_the_tree_or_round(compared, org, persona):
    pdf_url, status_url = urls(compared, org)
    assert persona("quality_developer").get(pdf_url).status_code == 302
    render_waiting_reports()
    for name in ("quality_developer_elsewhere", "manager_of_a", "outsider"):
        client = persona(name)
        for url in (pdf_url, status_url):
            assert client.get(url).status_code == 404, (name, url)
            assert client.get(url, {"previous": "1"}).status_code == 404, (name, url)
        assert client.post(status_url).status_code == 404, name
        client.logout()
    # A round the person does not oversee: 404 as well.
    foreign = reverse("compare_pdf", args=[compared.round.pk + 999, org.dep_a.pk])
    assert persona("quality_developer").get(foreign).status_code == 404
    assert StoredComparison.objects.count() == 1  # none made for them
