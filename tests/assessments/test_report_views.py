"""The balance report's web page, its PDF download and the manager's preview."""

import io

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from assessments import workflow
from assessments.models import AssessmentState
from reports.unit_report import build_unit_report
from tests.factories_reports import ACTIONS, fetch_pdf, make_report_scenario

pytestmark = pytest.mark.django_db

# Session, user, the person's roles, the assessment (scoped), then the report's own queries
# (see test_unit_report.REPORT_QUERIES).
PAGE_QUERIES = 22


def page(client, assessment, name="unit_report", **params):
    return client.get(reverse(name, args=[assessment.pk]), params)


def pdf_bytes(response) -> bytes:
    """A stored report is streamed from the storage (FileResponse)."""
    return b"".join(response.streaming_content)


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf_bytes(response)))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


@pytest.fixture
def scenario(org):
    return make_report_scenario(org, respondents=6)


def test_it_shows_the_manager_the_whole_report(scenario, persona):
    response = page(persona("manager_of_a"), scenario.assessment, lang="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Enhet A1" in html and "Summary of findings" in html
    assert 'class="tillit-chart"' in html  # the charts, drawn on the server
    assert 'class="participants"' not in html  # no one's own point in the triangle
    assert "Middle half of individual answers" in html  # the interquartile range, no min–max
    assert "Range of individual answers" not in html
    assert "Oklart vad vi får besluta själva" in html  # the dialogue notes
    for _key, title, *_rest in ACTIONS:
        assert title in html
    assert reverse("unit_report_pdf", args=[scenario.assessment.pk]) + "?lang=en" in html
    assert f'href="{reverse("manager_assessment", args=[scenario.assessment.pk])}"' in html
    assert 'hreflang="sv"' in html  # the same report in Swedish
    assert "no-store" in response["Cache-Control"]


def test_it_shows_quality_developers_the_report_without_unshared_notes(scenario, persona):
    response = page(persona("quality_developer"), scenario.assessment, lang="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Oklart vad vi får besluta själva" not in html
    assert "chosen not to share its dialogue notes" in html
    assert "For quality developers" in html
    assert f'href="{reverse("manager_assessment", args=[scenario.assessment.pk])}"' not in html


def test_it_shows_quality_developers_shared_notes(org, persona):
    scenario = make_report_scenario(org, respondents=5, share_notes=True)
    html = page(persona("quality_developer"), scenario.assessment).content.decode()
    assert "Oklart vad vi får besluta själva" in html


def test_it_picks_the_language_from_the_query_or_the_current_language(scenario, persona):
    client = persona("manager_of_a")
    url = reverse("unit_report", args=[scenario.assessment.pk])
    assert '<html lang="sv">' in client.get(url).content.decode()
    assert '<html lang="sv">' in client.get(url, {"lang": "xx"}).content.decode()
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in english and "Support and resources" in english
    swedish = client.get(url, {"lang": "sv"}, headers={"accept-language": "en"}).content.decode()
    assert '<html lang="sv">' in swedish and "Stöd och förutsättningar" in swedish


def test_it_downloads_the_pdf_as_an_attachment(
    scenario, persona, django_capture_on_commit_callbacks
):
    client = persona("manager_of_a")
    with django_capture_on_commit_callbacks(execute=True) as queued:
        first = page(client, scenario.assessment, "unit_report_pdf", lang="en")
    # Not rendered in the request: queued once it is committed, and followed on a page.
    assert first.status_code == 302 and len(queued) == 1
    assert first["Location"] == (
        reverse("unit_report_pdf_status", args=[scenario.assessment.pk]) + "?lang=en"
    )
    response = page(client, scenario.assessment, "unit_report_pdf", lang="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="balance-report-a1-tillitsskattning-ht-2026.pdf"'  # English
    )
    data = pdf_bytes(response)
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert reader.metadata.title == "Balance report – Enhet A1 – Tillitsskattning HT 2026"
    assert "Summary of findings" in text and "Action plan" in text
    assert "Support and resources" in text


def test_it_sends_the_manager_to_the_preview_before_completion(org, persona):
    scenario = make_report_scenario(org, respondents=5, state=AssessmentState.DIALOGUE)
    client = persona("manager_of_a")
    response = page(client, scenario.assessment, lang="en")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("unit_report_preview", args=[scenario.assessment.pk]) + "?lang=en"
    )
    preview = page(client, scenario.assessment, "unit_report_preview", lang="en")
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'class="preview-banner"' in html and "not the final report" in html
    assert reverse("unit_report_preview_pdf", args=[scenario.assessment.pk]) in html

    pdf = fetch_pdf(client, scenario.assessment, "unit_report_preview_pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Disposition"].endswith('-forhandsvisning.pdf"')
    # Quality developers see nothing before completion.
    assert page(persona("quality_developer"), scenario.assessment).status_code == 404


def test_it_shows_no_figure_in_the_preview_until_the_manager_shows_the_results(org, persona):
    scenario = make_report_scenario(org, respondents=6, state=AssessmentState.INDIVIDUAL)
    assessment = scenario.assessment
    workflow.close_individual(assessment, org.manager_of_a)  # the dialogue, nothing shown yet
    assessment.refresh_from_db()
    assert assessment.is_dialogue and assessment.release is None
    client = persona("manager_of_a")

    html = page(client, assessment, "unit_report_preview", lang="en").content.decode()
    text = pdf_text(fetch_pdf(client, assessment, "unit_report_preview_pdf", lang="en"))
    for shown in (" ".join(html.split()), text):
        assert "The group's figures have not been shown to the group yet" in shown
        assert "group figures not shown yet" in shown  # on the cover
        assert "6 participants" in shown  # counts are shown, figures are not
        assert "Median of individual answers" not in shown
        assert "Middle half of individual answers" not in shown
        assert "too few answers to show" not in shown
    assert "distribution-table" not in html  # no distribution
    assert 'class="chart chart-distribution"' not in html
    assert ">Median</th>" not in html and ">Middle half</th>" not in html
    assert 'class="median-mark"' not in html  # no dimension median stands in
    assert 'class="cells"' not in html and "Group mean now" not in html
    assert '>4<span class="of">' in html  # what the group agreed is there
    for _key, title, *_rest in ACTIONS:
        assert title in html and title in text

    workflow.reveal_results(assessment, org.manager_of_a)
    assessment.refresh_from_db()
    with translation.override("en"):
        report = build_unit_report(assessment)
        medians = [floatformat(p.index_median, "-1") for p in report.principles]
    assert report.enough and all(p.index_median is not None for p in report.principles)

    html = page(client, assessment, "unit_report_preview", lang="en").content.decode()
    text = pdf_text(fetch_pdf(client, assessment, "unit_report_preview_pdf", lang="en"))
    for shown in (" ".join(html.split()), text):
        assert "have not been shown to the group yet" not in shown
        assert "Median of individual answers" in shown
        assert "Middle half of individual answers" in shown
    assert "distribution-table" in html and 'class="median-mark"' in html
    assert ">Median</th>" in html and "Group mean now" in html
    for median in medians:
        assert f'<dd class="figure">{median}</dd>' in html


def test_it_sends_the_preview_to_the_final_report_once_completed(scenario, persona):
    response = page(persona("manager_of_a"), scenario.assessment, "unit_report_preview")
    assert response.status_code == 302
    assert response["Location"] == reverse("unit_report", args=[scenario.assessment.pk])


@pytest.mark.parametrize("state", [AssessmentState.PREPARING, AssessmentState.INDIVIDUAL])
def test_it_has_no_report_before_the_dialogue(org, persona, state):
    scenario = make_report_scenario(org, respondents=5, state=state)
    client = persona("manager_of_a")
    assert page(client, scenario.assessment).status_code == 404
    assert page(client, scenario.assessment, "unit_report_preview").status_code == 404


def test_it_hides_distributions_and_dots_below_the_threshold_on_the_page(org, persona, settings):
    settings.MIN_RESPONDENTS = 5
    scenario = make_report_scenario(org, respondents=3)
    html = page(persona("manager_of_a"), scenario.assessment, lang="en").content.decode()
    assert "distribution-table" not in html
    assert 'class="participants"' not in html and 'class="cells"' not in html
    assert "Only 3 people answered enough to count" in html
    assert "Range of individual answers" not in html
    assert "Median of individual answers" not in html
    assert "Middle half of individual answers" not in html
    for _key, title, *_rest in ACTIONS:
        assert title in html
    assert '>4<span class="of">' in html  # an agreed score


@pytest.mark.parametrize("respondents", [5, 60])
def test_it_runs_a_constant_number_of_queries_for_the_page(
    org, client, respondents, django_assert_num_queries
):
    scenario = make_report_scenario(org, respondents=respondents)
    client.force_login(org.manager_of_a)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(reverse("unit_report", args=[scenario.assessment.pk]))
    assert response.status_code == 200
    assert f"<dd>{respondents} deltagare" in response.content.decode()  # the cover, in Swedish


def test_it_gives_404_for_a_foreign_units_report(scenario, persona):
    for name in ("manager_of_b", "quality_developer_elsewhere", "outsider"):
        client = persona(name)
        for view in (
            "unit_report",
            "unit_report_pdf",
            "unit_report_pdf_status",
            "unit_report_preview",
            "unit_report_preview_pdf",
            "unit_report_preview_pdf_status",
        ):
            assert page(client, scenario.assessment, view).status_code == 404, (name, view)
        client.logout()


def test_it_refuses_to_change_anything(scenario, persona):
    response = persona("manager_of_a").post(reverse("unit_report", args=[scenario.assessment.pk]))
    assert response.status_code == 405
