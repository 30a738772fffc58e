"""The unit's balance report: its data, its HTML and its PDF."""

import base64
import io
import math
import re
import statistics
from collections import defaultdict

import pytest
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader

from assessments import disclosure, scoring
from assessments.models import (
    Action,
    AssessmentState,
    BalanceAnswer,
    PrincipleAgreement,
    StatementAnswer,
)
from reports import charts
from reports.unit_report import (
    AUDIENCE_OVERSEER,
    build_unit_report,
    render_unit_report_html,
    render_unit_report_pdf,
    report_filename,
)
from tests.factories import make_assessment, make_round, release
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

# Queries for one report whatever the number of respondents: the assessment (with its
# released figures), principles and their statements, dimensions, steering principles, the
# definition, three agreement tables, actions, the previous assessment and its three
# agreement tables and its actions (as rated in this round), the department and its units'
# scores, the steering signals with their answers. No answer table is read.
REPORT_QUERIES = 18
ANSWER_TABLES = (
    "assessments_statementanswer",
    "assessments_dimensionanswer",
    "assessments_balanceanswer",
    "assessments_principlecomment",
)


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


def method_text(html):
    """The report's "About the method" section as plain text."""
    section = re.search(r'<section[^>]*id="method".*?</section>', html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


# --- what the test knows of the answers, straight from the tables --------------------------


def counted_answers(assessment):
    """Statement answers per respondent who counts: at least half of the framework's
    statements answered with a value (not "don't know")."""
    by_respondent = defaultdict(dict)
    for rid, sid, value in StatementAnswer.objects.filter(
        respondent__assessment=assessment
    ).values_list("respondent_id", "statement_id", "value"):
        by_respondent[rid][sid] = value
    statements = sum(
        len(p.statements.all()) for p in assessment.round.framework_version.principles.all()
    )
    needed = max(1, math.ceil(statements / 2))
    return {
        rid: answers
        for rid, answers in by_respondent.items()
        if len(scoring.known(answers.values())) >= needed
    }


def indices(assessment, principle_key):
    """The counted respondents' indices for one principle."""
    version = assessment.round.framework_version
    statement_ids = [s.pk for s in version.principles.get(key=principle_key).statements.all()]
    return [
        index
        for answers in counted_answers(assessment).values()
        if (index := scoring.principle_index(answers.get(sid) for sid in statement_ids)) is not None
    ]


def balances_now(assessment):
    counted = counted_answers(assessment)
    return [
        (market, hierarchy, trust)
        for rid, market, hierarchy, trust in BalanceAnswer.objects.filter(
            respondent__assessment=assessment, kind="now"
        ).values_list("respondent_id", "market", "hierarchy", "trust")
        if rid in counted
    ]


def people_per_cell(balances):
    """How many balances lie in each 20-point cell (keyed by its low market and hierarchy);
    a point on the outer edge at a grid line belongs to the cell just inside."""
    cells = defaultdict(int)
    for market, hierarchy, _trust in balances:
        i, j = min(market // 20, 4), min(hierarchy // 20, 4)
        if i + j > 4:
            i, j = (i - 1, j) if i > 0 else (i, j - 1)
        cells[(i * 20, j * 20)] += 1
    return dict(cells)


def dot_positions(report, balances):
    """Where the triangle would put a dot for each balance, as ``cx="…" cy="…"``."""
    reference = charts.balance_triangle(
        now=None,
        desired=None,
        labels={s.key: s.name for s in report.balance.steering},
        title="x",
        description="x",
        id_prefix="reference",
        points=[charts.Balance(*b) for b in balances],
    )
    return re.findall(r'<circle (cx="[^"]+" cy="[^"]+") r="2.5"/>', reference)


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
        # The pooled distribution holds the answers of the statements shown: here all of them.
        assert all(s.distribution.answered == 8 for s in section.statements)
        assert section.distribution.answered == 8 * len(section.statements)
        assert 1 <= section.index_low <= section.index_median <= section.index_high <= 5
        # The spread is the interquartile range of the counted respondents' indices, not
        # their lowest and highest.
        values = indices(scenario.assessment, section.key)
        assert section.index_count == len(values) == 8
        assert section.index_median == pytest.approx(statistics.median(values))
        low, _median, high = statistics.quantiles(values, n=4, method="inclusive")
        assert (section.index_low, section.index_high) == (
            pytest.approx(low),
            pytest.approx(high),
        )
        if min(values) < max(values):
            assert (section.index_low, section.index_high) != (min(values), max(values))
    assert principle(report, "handlingsutrymme").obstacles.startswith("Oklart vad vi får")

    follow_up = next(d for d in report.dimensions if d.key == "follow_up")
    assert follow_up.agreed_now is None and follow_up.now_is_median
    design = next(d for d in report.dimensions if d.key == "design")
    assert (design.now, design.desired, design.gap) == (2, 5, 3)

    balance = report.balance
    assert balance.agreed_now.as_tuple() == (15, 60, 25)
    # No one's own point: only cells holding at least the threshold of people, here none
    # (the eight views of now spread over cells of at most four).
    expected = {
        cell: n
        for cell, n in people_per_cell(balances_now(scenario.assessment)).items()
        if n >= settings.MIN_RESPONDENTS
    }
    assert {(c.market, c.hierarchy): c.count for c in balance.cells_now} == expected
    assert all(c.count >= settings.MIN_RESPONDENTS for c in balance.cells_now)
    assert balance.answered_now == 8
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

    assert scenario.assessment.release is None  # four counted: nothing could be released
    assert report.respondents == 4 and not report.enough
    assert all(p.distribution is None and p.index_median is None for p in report.principles)
    assert all(p.index_low is None and p.index_high is None for p in report.principles)
    assert all(s.distribution is None for p in report.principles for s in p.statements)
    assert all(d.median_now is None for d in report.dimensions)
    assert report.balance.cells_now == () and report.balance.mean_now is None
    assert {p.key: p.agreed for p in report.principles} == SCORES_NOW
    assert len(report.actions) == len(ACTIONS)

    html = html_of(report, "en")
    charts = charts_in(html)
    assert len(charts) == 3  # triangle, radar, profile: no distribution bars
    assert "distribution-table" not in html
    assert not any('class="participants"' in svg for svg in charts)  # no participant dots
    assert not any('class="cells"' in svg for svg in charts)  # and no density cells
    assert "participant-dots-note" not in html and "density-note" not in html
    assert "Only 4 people answered enough to count" in html
    assert "No figures from individual answers were released" in html  # the findings
    for _key, title, *_rest in ACTIONS:
        assert title in html
    assert re.search(r"Room for action</th>\s*<td class=\"num strong\">2</td>", html)


def test_it_leaves_out_a_statement_too_few_answered(org, settings):
    # Eight people, all counted, and a threshold of eight: a statement shows only where all
    # eight answered it with a value ("don't know" is no value).
    settings.MIN_RESPONDENTS = 8
    scenario = make_report_scenario(org, respondents=8)
    report = build(scenario.assessment, "en")
    assert report.enough and report.respondents == 8

    with_value = defaultdict(int)
    for answers in counted_answers(scenario.assessment).values():
        for sid, value in answers.items():
            with_value[sid] += value is not None
    version = scenario.assessment.round.framework_version
    hidden = shown = 0
    for section in report.principles:
        statements = version.principles.get(key=section.key).statements.order_by("order", "pk")
        for row, statement in zip(section.statements, statements, strict=True):
            assert row.key == statement.key
            if with_value[statement.pk] >= 8:
                assert row.distribution is not None and row.median is not None
                shown += 1
            else:
                assert row.distribution is None and row.median is None, row.key
                hidden += 1
        # The principle pools only the statements shown, so no withheld one can be worked out.
        pooled = sum(row.distribution.answered for row in section.statements if row.distribution)
        assert (section.distribution.answered if section.distribution else 0) == pooled
    assert hidden and shown  # the data hold both kinds
    assert "too few answers to show" in html_of(report, "en")


def test_it_shows_the_released_figures_not_answers_given_or_removed_since(scenario):
    released = build(scenario.assessment)
    add_answers(scenario.assessment, 4, seed=11)  # answers after the release…
    later = build(scenario.assessment)
    assert later.respondents == released.respondents == 8
    assert later.principles == released.principles
    assert later.dimensions == released.dimensions and later.balance == released.balance
    StatementAnswer.objects.filter(respondent__assessment=scenario.assessment).delete()
    assert build(scenario.assessment).principles == released.principles  # …or none at all


def test_it_counts_only_respondents_who_answered_half_the_statements(org, settings):
    settings.MIN_RESPONDENTS = 5
    scenario = make_report_scenario(org, respondents=4, state=AssessmentState.INDIVIDUAL)
    # A fifth person answered one statement, "don't know" to the rest: they joined, but
    # answered too little to count, so five joined and the figures still stay hidden.
    late = add_answers(scenario.assessment, 1, seed=5)[0]
    answers = StatementAnswer.objects.filter(respondent=late)
    first = answers.order_by("pk").values_list("pk", flat=True).first()
    answers.exclude(pk=first).update(value=None, dont_know=True)
    assert len(counted_answers(scenario.assessment)) == 4
    scenario.assessment.state = AssessmentState.DIALOGUE
    scenario.assessment.save(update_fields=["state"])
    assert release(scenario.assessment).status == disclosure.TOO_FEW
    report = build(scenario.assessment, "en")
    assert report.respondents == 4 and not report.enough
    assert "Only 4 people answered enough to count" in html_of(report, "en")


def test_it_shows_density_cells_only_where_enough_people_are(org):
    scenario = make_report_scenario(org, respondents=30)
    report = build(scenario.assessment, "en")
    people = people_per_cell(balances_now(scenario.assessment))
    shown = {(c.market, c.hierarchy): c.count for c in report.balance.cells_now}
    assert shown == {cell: n for cell, n in people.items() if n >= settings.MIN_RESPONDENTS}
    assert shown and any(n < settings.MIN_RESPONDENTS for n in people.values())

    html = html_of(report, "en")
    triangle = charts_in(html)[0]
    group = re.search(r'<g class="cells"[^>]*>(.*?)</g>', triangle, re.S).group(1)
    assert group.count("<polygon") == len(shown)  # one shaded area per cell shown
    for n in shown.values():
        assert f">{n}</tspan>" in triangle  # with its number of people
    assert 'class="participants"' not in triangle and 'class="points"' not in triangle
    assert "density-note" in html


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


def test_it_states_the_anonymity_rules_in_the_method_note(org, settings):
    settings.MIN_RESPONDENTS = 6
    scenario = make_report_scenario(org, respondents=8)
    note = method_text(html_of(build(scenario.assessment, "en"), "en"))
    # The threshold, as configured.
    assert "no figure stands on fewer than 6 people" in note
    assert "Each figure needs 6 answers of its own" in note
    assert "at least 6 people's views of now" in note
    # Who counts.
    assert "at least half of the statements with a value other than “don't know”" in note
    # The difference rule between releases.
    assert "at least that many people have joined or changed what it stands on" in note
    assert "worked out from the difference" in note
    # The spread, and no one's extremes.
    assert "middle half of the answers (the interquartile range)" in note
    assert "no lowest or highest answer" in note
    assert "no one's point in the triangle" in note


def test_it_never_describes_the_spread_as_lowest_to_highest(scenario):
    html = " ".join(html_of(build(scenario.assessment, "en"), "en").split())
    assert "from the lowest to the highest" not in html
    assert "middle half of the participants' own answers" in html.replace("&#x27;", "'")


@pytest.mark.parametrize("respondents", [5, 60])
def test_it_builds_the_report_in_a_constant_number_of_queries(
    org, respondents, django_assert_num_queries
):
    assessment = make_report_scenario(org, respondents=respondents).assessment
    with (
        django_assert_num_queries(REPORT_QUERIES) as captured,
        translation.override("sv"),
    ):
        report = build_unit_report(assessment)
        render_unit_report_html(report, for_pdf=True)
    assert report.respondents == respondents
    assert not [q["sql"] for q in captured if any(t in q["sql"] for t in ANSWER_TABLES)]


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
    # Triangle, radar and profile; the PDF prints each principle's answers as its table.
    assert len(charts) == 3
    assert all(svg.startswith("<svg") and 'role="img"' in svg for svg in charts)
    # Enough answered, yet no participant is a dot: no group of dots, and the eight views of
    # now are not drawn where the triangle would put them.
    triangle = charts_in(html)[0]
    assert 'class="participants"' not in triangle and 'class="points"' not in triangle
    positions = dot_positions(build(scenario.assessment, "en"), balances_now(scenario.assessment))
    assert len(positions) == 8
    assert not all(p in triangle for p in positions)
    assert 'r="2.5"' not in triangle  # no dot of any kind
    assert 'alt="Steering balance: now and desired"' in html
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
    # Summary first, principles several to a page (was 15 and more); the demo unit's report
    # is held at 8 pages in tests/reports/test_report_layout.py.
    assert 2 <= len(reader.pages) <= 10
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
    assert len(alts) == 3 and alts[0] == title


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


def test_it_writes_the_steering_keywords_as_running_text(org):
    scenario = make_report_scenario(org, neighbours=1)
    with translation.override("en"):
        report = build_unit_report(scenario.assessment)
    keywords = [label.keywords for label in report.balance.steering]
    assert all(" and " in text for text in keywords), keywords
    assert all(text == text.lower() for text in keywords), keywords
