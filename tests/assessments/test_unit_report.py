"""The unit's balance report: its data, its HTML and its PDF."""

import base64
import io
import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from assessments.models import Action, AssessmentState, PrincipleAgreement
from assessments.reports.unit_report import (
    AUDIENCE_OVERSEER,
    build_unit_report,
    render_unit_report_html,
    render_unit_report_pdf,
    report_filename,
)
from tests.factories import make_assessment, make_round
from tests.factories_reports import (
    ACTIONS,
    POSITIONS_BEFORE,
    SCORES_BEFORE,
    SCORES_NOW,
    add_answers,
    agree,
    complete,
    make_report_scenario,
)

pytestmark = pytest.mark.django_db

# Queries for one report whatever the number of respondents: assessment, principles and
# their statements, dimensions, steering principles, the definition, three answer tables,
# three agreement tables, actions, the previous assessment and its three agreement tables,
# the department and its units' scores.
REPORT_QUERIES = 19


def build(assessment, language="sv", **kwargs):
    with translation.override(language):
        return build_unit_report(assessment, **kwargs)


def html_of(report, language="sv"):
    with translation.override(language):
        return render_unit_report_html(report, for_pdf=True)


def charts_in(html):
    """The SVG of every chart in the PDF's HTML (there, charts are data: URI images)."""
    return [
        base64.b64decode(data).decode()
        for data in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    ]


def principle(report, key):
    return next(p for p in report.principles if p.key == key)


@pytest.fixture
def scenario(org):
    return make_report_scenario(org, respondents=8)


# --- data ---------------------------------------------------------------------------------


def test_it_builds_the_report_from_answers_and_agreements(scenario):
    report = build(scenario.assessment)

    assert (report.unit_name, report.unit_code) == ("Enhet A1", "A1")
    assert report.round_name == "Tillitsskattning HT 2026"
    assert report.respondents == 8 and report.enough and not report.is_preview
    # The newer framework's order: "Stöd" moved first, "Tillit" last.
    keys = [p.key for p in report.principles]
    assert (keys[0], keys[-1]) == ("stod", "tillit")
    assert {p.key: p.agreed for p in report.principles} == SCORES_NOW
    for section in report.principles:
        assert section.distribution.answered == 8 * len(section.statements)
        assert all(s.distribution.answered == 8 for s in section.statements)
        assert 1 <= section.index_low <= section.index_median <= section.index_high <= 5
    assert principle(report, "handlingsutrymme").obstacles.startswith("Oklart vad vi får")

    follow_up = next(d for d in report.dimensions if d.key == "follow_up")
    assert follow_up.agreed_now is None and follow_up.now_is_median
    design = next(d for d in report.dimensions if d.key == "design")
    assert (design.now, design.desired, design.gap) == (2, 5, 3)

    balance = report.balance
    assert balance.agreed_now.as_tuple() == (15, 60, 25)
    assert len(balance.participants_now) == 8
    assert list(balance.participants_now) == sorted(
        balance.participants_now, key=lambda b: b.as_tuple()
    )
    assert [a.title for a in report.actions] == [a[1] for a in ACTIONS]  # undated last
    assert [a.title for a in principle(report, "stod").actions] == [ACTIONS[1][1]]
    assert [f.kind for f in report.findings] == [
        "strongest",
        "weakest",
        "gaps",
        "disagreement",
        "balance",
    ]


def test_it_matches_the_previous_round_by_key_across_framework_versions(scenario):
    assert scenario.version_before.pk != scenario.version_now.pk
    report = build(scenario.assessment)

    assert report.previous.round_name == "Tillitsskattning VT 2026"
    assert not report.previous.same_framework
    assert report.previous.matched_principles == 7
    support = principle(report, "stod")
    assert support.name == "Stöd och förutsättningar"  # renamed in the newer version
    assert support.number == 1  # and moved
    assert support.previous_agreed == SCORES_BEFORE["stod"]
    assert support.change == SCORES_NOW["stod"] - SCORES_BEFORE["stod"]
    assert {p.key: p.previous_agreed for p in report.principles} == SCORES_BEFORE
    assert {d.key: (d.previous_now, d.previous_desired) for d in report.dimensions} == (
        POSITIONS_BEFORE
    )
    assert report.balance.previous_now.as_tuple() == (20, 60, 20)


def test_it_compares_with_the_latest_earlier_completed_round_only(scenario, org):
    # A later round and an unfinished earlier one are no "previous round".
    later = make_round(org.root, scenario.version_now, name="Tillitsskattning VT 2027")
    later.opens_on = later.opens_on.replace(year=2027)
    later.closes_on = later.closes_on.replace(year=2027)
    later.save()
    complete(make_assessment(later, org.a1))
    earlier = make_round(org.root, scenario.version_before, name="Tillitsskattning HT 2025")
    earlier.opens_on = earlier.opens_on.replace(year=2025, month=9)
    earlier.closes_on = earlier.closes_on.replace(year=2025)
    earlier.save()
    make_assessment(scenario.round_before, org.a2)  # another unit's
    report = build(scenario.assessment)
    assert report.previous.round_name == "Tillitsskattning VT 2026"

    first = build(scenario.before)
    assert first.previous is None
    assert all(p.previous_agreed is None for p in first.principles)


def test_it_shows_the_department_median_with_at_least_three_other_units(org):
    report = build(make_report_scenario(org, neighbours=3).assessment)
    assert report.department.name == "Förvaltning A"
    assert report.department.shown and report.department.other_units == 3
    # Stöd: this unit 2, the others 1, 2 and 3.
    assert principle(report, "stod").department_median == 2
    assert all(p.department_median is not None for p in report.principles)


def test_it_hides_the_department_median_below_three_other_units(org):
    report = build(make_report_scenario(org, neighbours=2).assessment, "en")
    assert report.department.other_units == 2 and not report.department.shown
    assert all(p.department_median is None for p in report.principles)
    assert "at least 3 other units" in html_of(report, "en").replace("\n", " ")


def test_it_counts_only_completed_units_of_the_same_round_for_the_department(org):
    scenario = make_report_scenario(org, neighbours=3)
    other = scenario.neighbours[0]
    other.state = AssessmentState.DIALOGUE
    other.save()
    report = build(scenario.assessment)
    assert report.department.other_units == 2 and not report.department.shown


def test_it_hides_everything_from_individual_answers_below_the_threshold(org, settings):
    settings.MIN_RESPONDENTS = 5
    scenario = make_report_scenario(org, respondents=4)
    report = build(scenario.assessment, "en")

    assert report.respondents == 4 and not report.enough
    assert all(p.distribution is None and p.index_median is None for p in report.principles)
    assert all(s.distribution is None for p in report.principles for s in p.statements)
    assert all(d.median_now is None for d in report.dimensions)
    assert report.balance.participants_now == () and report.balance.mean_now is None
    assert {p.key: p.agreed for p in report.principles} == SCORES_NOW
    assert len(report.actions) == len(ACTIONS)

    html = html_of(report, "en")
    charts = charts_in(html)
    assert len(charts) == 3  # triangle, radar, profile: no distribution bars
    assert "distribution-table" not in html
    assert not any('class="participants"' in svg for svg in charts)  # no participant dots
    assert "participant-dots-note" not in html
    assert "Only 4 people answered individually" in html
    assert "Fewer than 5 people answered" in html
    for _key, title, *_rest in ACTIONS:
        assert title in html
    assert re.search(r"Room for action</th>\s*<td class=\"num strong\">2</td>", html)


def test_it_leaves_out_a_statement_too_few_answered(scenario, settings):
    settings.MIN_RESPONDENTS = 9
    add_answers(scenario.assessment, 1, seed=3)  # nine people, but only those nine
    report = build(scenario.assessment)
    assert report.enough
    assert all(s.distribution is not None for p in report.principles for s in p.statements)
    settings.MIN_RESPONDENTS = 10
    assert not build(scenario.assessment).enough


def test_it_shows_the_dialogue_notes_to_overseers_only_when_the_unit_shares_them(org):
    scenario = make_report_scenario(org, share_notes=False)
    unit = build(scenario.assessment)
    overseer = build(scenario.assessment, "en", audience=AUDIENCE_OVERSEER)
    note = "Oklart vad vi får besluta själva"
    assert principle(unit, "handlingsutrymme").obstacles.startswith(note)
    assert all(not p.has_notes for p in overseer.principles)
    assert overseer.notes_withheld
    html = html_of(overseer, "en")
    assert note not in html
    assert "chosen not to share its dialogue notes" in html

    scenario.assessment.share_notes = True
    scenario.assessment.save()
    shared = build(scenario.assessment, "en", audience=AUDIENCE_OVERSEER)
    assert principle(shared, "handlingsutrymme").obstacles.startswith(note)
    assert note in html_of(shared, "en")


def test_it_refuses_an_unknown_audience(scenario):
    with pytest.raises(ValueError):
        build(scenario.assessment, audience="everyone")


@pytest.mark.parametrize("respondents", [5, 60])
def test_it_builds_the_report_in_a_constant_number_of_queries(
    org, respondents, django_assert_num_queries
):
    assessment = make_report_scenario(org, respondents=respondents).assessment
    with django_assert_num_queries(REPORT_QUERIES), translation.override("sv"):
        report = build_unit_report(assessment)
        render_unit_report_html(report, for_pdf=True)
    assert report.respondents == respondents


def test_it_builds_a_first_report_without_previous_round_or_department(org):
    round_ = make_round(org.root, scenario_version(org))
    assessment = make_assessment(round_, org.b1)  # Förvaltning B has no other units
    add_answers(assessment, 5)
    agree(assessment, scores={"tillit": 3})
    complete(assessment)
    report = build(assessment, "en")
    assert report.previous is None
    assert report.department.other_units == 0 and not report.department.shown
    html = html_of(report, "en")
    assert "first completed self-assessment" in html
    assert "comparison-table" not in html


def scenario_version(org):
    from tests.factories_reports import make_framework

    return make_framework()


# --- HTML and PDF -------------------------------------------------------------------------


def test_it_draws_every_chart_with_its_title_as_alternative_text(scenario):
    html = html_of(build(scenario.assessment, "en"), "en")
    charts = charts_in(html)
    assert len(charts) == 3 + 7  # triangle, radar, profile and one distribution per principle
    assert all(svg.startswith("<svg") and 'role="img"' in svg for svg in charts)
    assert 'class="participants"' in charts[0]  # enough answered: each participant a dot
    assert 'alt="Steering balance: now and desired"' in html
    assert 'alt="Answers on Support and resources"' in html
    assert "<svg" not in html  # in the PDF the charts are images, not inline SVG


def test_it_escapes_everything_people_wrote(scenario):
    Action.objects.filter(assessment=scenario.assessment).update(
        title='<script>alert("x")</script>', responsible="<b>Bo</b>"
    )
    PrincipleAgreement.objects.filter(assessment=scenario.assessment).update(
        strengths="<img src=x onerror=alert(1)>"
    )
    html = html_of(build(scenario.assessment))
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Bo</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bo&lt;/b&gt;" in html


def test_it_writes_an_english_report_with_english_headings(scenario):
    report = build(scenario.assessment, "en")
    html = html_of(report, "en")
    assert '<html lang="en">' in html
    for heading in (
        "Summary of findings",
        "Steering balance",
        "The guiding principles",
        "Control and trust",
        "Principle by principle",
        "Action plan",
        "Comparison",
        "About the method",
    ):
        assert f">{heading}</h2>" in html
    assert "Support and resources" in html  # the framework's English texts
    assert "Stöd och förutsättningar" not in html

    swedish = html_of(build(scenario.assessment, "sv"), "sv")
    assert '<html lang="sv">' in swedish
    assert "Stöd och förutsättningar" in swedish and "Support and resources" not in swedish


def test_it_marks_a_preview_on_every_page(org):
    scenario = make_report_scenario(org, state=AssessmentState.DIALOGUE)
    report = build(scenario.assessment, "en")
    assert report.is_preview
    html = html_of(report, "en")
    assert 'class="preview-watermark"' in html and "not the final report" in html
    assert report_filename(scenario.assessment, preview=True) == (
        "balansrapport-a1-tillitsskattning-ht-2026-forhandsvisning.pdf"
    )


def test_it_names_the_file_after_the_unit_and_the_round(scenario):
    assert report_filename(scenario.assessment) == "balansrapport-a1-tillitsskattning-ht-2026.pdf"


def test_it_renders_a_pdf_with_the_unit_principles_scores_and_actions(scenario):
    data = render_unit_report_pdf(scenario.assessment, language="sv")
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    assert reader.metadata.title == "Balansrapport – Enhet A1 – Tillitsskattning HT 2026"
    assert len(reader.pages) >= 10
    assert "Enhet A1" in text and "Tillitsskattning HT 2026" in text
    report = build(scenario.assessment)
    for section in report.principles:
        # The principle with its agreed score, as in the table of scores per principle.
        assert re.search(rf"{re.escape(section.name)} {section.agreed}\b", text), section.name
        assert section.definition[:40] in text
    for _key, title, responsible, *_rest in ACTIONS:
        assert title in text and responsible in text
    assert "Förvaltning A" in text  # the department comparison
    # Every chart is a tagged figure whose alternative text is its title.
    alts = figure_alts(reader)
    with translation.override("sv"):
        title = translation.gettext("Steering balance: now and desired")
    assert len(alts) == 10 and alts[0] == title


def figure_alts(reader):
    alts = []

    def walk(node):
        node = node.get_object()
        if node.get("/S") == "/Figure":
            alts.append(str(node.get("/Alt")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return alts
