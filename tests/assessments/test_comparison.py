"""The quality developer's comparison: data, page, PDF, scope and a constant query count."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import disclosure, generate, scoring
from assessments.models import RoleKind, Unit
from reports import comparison
from reports.unit_report import build_unit_report
from tests.factories import make_assessment, make_round, make_unit, make_version
from tests.factories_compare import compared_org, complete
from tests.factories_reports import body, get_rendered

pytestmark = pytest.mark.django_db

ANSWER_TABLES = (
    "assessments_statementanswer",
    "assessments_dimensionanswer",
    "assessments_balanceanswer",
    "assessments_principlecomment",
)


@pytest.fixture
def compared(org):
    return compared_org(org)


def build(user, compared, node):
    return comparison.build_comparison(user, compared.round, node)


def names(data: comparison.Comparison) -> list[str]:
    return [row.unit.name for row in data.rows]


# --- data ------------------------------------------------------------------------------------


def test_it_compares_only_completed_assessments(org, compared):
    data = build(org.quality_developer, compared, org.dep_a)
    assert names(data) == ["Enhet A1", "Enhet A2"]  # A3 is still in dialogue
    assert (data.units_done, data.units_in_round) == (2, 3)


def test_it_keeps_the_tree_order_instead_of_ranking(org, compared):
    data = build(org.administrator, compared, org.root)
    # B1 agreed 1 everywhere, A2 agreed 5: still tree order, grouped by department.
    assert [group.unit.name for group in data.groups] == ["Förvaltning A", "Förvaltning B"]
    assert [[row.unit.name for row in g.rows] for g in data.groups] == [
        ["Enhet A1", "Enhet A2"],
        ["Enhet B1"],
    ]
    assert [g.url for g in data.groups] == [
        reverse("compare", args=[compared.round.pk, org.dep_a.pk]),
        reverse("compare", args=[compared.round.pk, org.dep_b.pk]),
    ]


def test_it_shows_the_agreed_scores_and_the_median_of_the_respondents_indices(org, compared):
    data = build(org.quality_developer, compared, org.dep_a)
    a1 = data.rows[0]
    assert [cell.agreed for cell in a1.cells] == [4, 2, None]
    # Each respondent answered the same value on every statement: indices 1, 2, 4, 5, 5.
    assert [cell.median for cell in a1.cells] == [4.0, 4.0, 4.0]
    assert a1.enough and a1.respondents == 5


def test_it_reads_no_answers_of_a_unit_below_the_threshold(org, compared):
    data = build(org.quality_developer, compared, org.dep_a)
    a2 = data.rows[1]
    assert a2.respondents == 3 < settings.MIN_RESPONDENTS
    assert not a2.enough
    assert [cell.agreed for cell in a2.cells] == [5, 5, 5]  # agreements only
    assert all(cell.median is None for cell in a2.cells)
    assert data.below_threshold == 1


def test_it_computes_an_index_as_scoring_does_with_dont_know_left_out(org):
    version = make_version(principles=1, statements=3, published=True)
    round_ = make_round(org.root, version)
    answers = [[1, None, 2], [None, None, 5], [4, 4, 4], [2, 3, None], [5, 5, 1], [3, 3, 3]]
    complete(round_, org.a1, respondents=6, answer=lambda i, s: answers[i][s.order - 1])
    data = comparison.build_comparison(org.quality_developer, round_, org.dep_a)
    # A respondent counts only after answering at least half of the statements (here two
    # of three) with a value: the second answered one, so their answers are in no figure.
    # The others' "don't know" is still left out of their own index.
    counted = [row for row in answers if len(scoring.known(row)) >= 2]
    assert len(counted) == 5
    expected = scoring.median([scoring.principle_index(row) for row in counted])
    assert expected != scoring.median([scoring.principle_index(row) for row in answers])
    assert data.rows[0].cells[0].median == pytest.approx(expected)
    assert data.rows[0].respondents == 5


def test_it_shows_the_medians_the_units_own_report_shows(org):
    # One source: the comparison reads the unit's released figures, the same the report shows.
    version = make_version(principles=3, statements=3, published=True)
    round_ = make_round(org.root, version)
    answers = [1, None, 2, 5, 4, 4, 3, None, None, 2, 5, 1]
    assessment = complete(
        round_,
        org.a1,
        respondents=7,
        answer=lambda i, s: answers[(i * 5 + s.principle.order * 3 + s.order) % 12],
    )
    data = comparison.build_comparison(org.quality_developer, round_, org.dep_a)
    row = data.rows[0]
    with translation.override("sv"):
        report = build_unit_report(assessment)
    shown = {p.key: p.index_median for p in report.principles}
    assert [c.median for c in row.cells] == [shown[column.key] for column in data.principles]
    assert all(c.median is not None for c in row.cells)
    assert row.respondents == report.respondents
    released = disclosure.shown(assessment)
    assert [c.median for c in row.cells] == [
        released.principles[column.pk].median for column in data.principles
    ]


def test_it_leaves_out_a_median_with_too_few_indices_behind_it(org):
    version = make_version(principles=1, statements=2, published=True)
    round_ = make_round(org.root, version)
    # Five answered, but two of them only "don't know": three indices. Those two no longer
    # count at all, so three counted is below the threshold: nothing is released.
    answers = [[1, 2], [None, None], [4, 4], [None, None], [5, 5]]
    complete(round_, org.a1, respondents=5, answer=lambda i, s: answers[i][s.order - 1])
    row = comparison.build_comparison(org.quality_developer, round_, org.dep_a).rows[0]
    assert not row.enough and row.respondents == 3
    assert row.cells[0].median is None

    # Five who count, but three of them answered one principle only "don't know": that
    # principle has two indices behind it and no median, the other has five and shows one.
    version = make_version("Två principer", principles=2, statements=2, published=True)
    round_ = make_round(org.root, version, name="Tillitsskattning VT 2027")
    complete(
        round_,
        org.a2,
        respondents=5,
        answer=lambda i, s: 4 if s.principle.key == "p1" or i < 2 else None,
    )
    row = comparison.build_comparison(org.quality_developer, round_, org.dep_a).rows[0]
    assert row.enough and row.respondents == 5
    assert [cell.median for cell in row.cells] == [4.0, None]


def test_it_gives_each_department_the_median_of_its_units_agreements(org, compared):
    data = build(org.administrator, compared, org.root)
    dep_a = data.groups[0]
    assert dep_a.summary == [4.5, 3.5, 5.0]
    assert [(line.now, line.desired, line.units) for line in dep_a.profile] == [
        (4.0, 6.0, 2),
        (4.0, 6.0, 2),
    ]
    assert data.groups[1].profile[0].now == 3.0


def test_it_puts_every_units_agreed_balance_on_one_triangle(org, compared):
    data = build(org.administrator, compared, org.root)
    assert [row.balance_now.as_tuple() for row in data.rows] == [(20, 50, 30)] * 3
    assert data.balance_desired.as_tuple() == (10, 40, 50)


def test_it_counts_open_and_overdue_actions_and_lists_the_overdue_first(org, compared):
    data = build(org.quality_developer, compared, org.dep_a)
    assert (data.open_actions, data.overdue_actions) == (2, 1)
    assert [a.title for a in data.actions] == ["Försenad åtgärd", "Kommande åtgärd"]
    assert data.actions[0].overdue and not data.actions[1].overdue
    assert (data.groups[0].open_actions, data.groups[0].overdue_actions) == (2, 1)


def test_it_counts_participation_per_department(org, compared):
    data = build(org.administrator, compared, org.root)
    dep_a, dep_b = data.groups
    assert (dep_a.units_done, dep_a.units_in_round, dep_a.respondents) == (2, 3, 8)
    assert (dep_b.units_done, dep_b.units_in_round, dep_b.respondents) == (1, 1, 6)
    assert data.respondents == 14


def test_it_ends_the_drill_down_at_the_unit(org, compared):
    data = build(org.quality_developer, compared, org.a1)
    assert data.is_unit
    assert [u.name for u in data.trail] == ["Förvaltning A"]  # the organisation is not theirs
    try:
        expected = reverse("unit_report", args=[compared.a1.pk])
    except Exception:
        expected = ""  # the unit report is not built yet: no link rather than a crash
    assert data.report_url == expected


def test_it_refuses_a_part_of_the_tree_outside_the_persons_scope(org, compared):
    with pytest.raises(Http404):
        build(org.quality_developer, compared, org.dep_b)
    with pytest.raises(Http404):
        build(org.quality_developer, compared, org.root)
    with pytest.raises(Http404):
        build(org.manager_of_a, compared, org.a1)


def test_it_offers_only_rounds_that_touch_the_persons_units(org, compared):
    elsewhere = make_round(org.dep_b, compared.version, name="Bara B")
    make_assessment(elsewhere, org.b1)  # still preparing: a round with no data is no round
    assert set(comparison.rounds_for(org.quality_developer)) == {compared.round}
    assert set(comparison.rounds_for(org.quality_developer_elsewhere)) == {
        compared.round,
        elsewhere,
    }
    assert list(comparison.rounds_for(org.manager_of_a)) == []


# --- the page ------------------------------------------------------------------------------------


def test_it_shows_the_heat_map_with_text_values_and_a_caption(org, compared, persona):
    response = persona("quality_developer").get(
        reverse("compare", args=[compared.round.pk, org.dep_a.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<caption id="heat-caption">' in html and 'id="heat-map"' in html
    assert '<td class="heat hm4"><b>4</b><small>Md 4,0</small></td>' in html  # sv: decimal comma
    assert '<td class="heat hm0"><b>–</b>' in html  # p3 not agreed
    assert "Enhet B1" not in html
    # A2 is below the threshold: agreements, and a note instead of medians.
    a2_row = re.search(r"Enhet A2.*?</tr>", html, re.S).group(0)
    assert "Md" not in a2_row and "<b>5</b>" in a2_row


def test_it_links_the_units_for_drilling_down_and_offers_the_exports(org, compared, persona):
    html = (
        persona("quality_developer")
        .get(reverse("compare", args=[compared.round.pk, org.dep_a.pk]))
        .content.decode()
    )
    for name in ("compare_csv", "compare_xlsx", "compare_pdf"):
        assert reverse(name, args=[compared.round.pk, org.dep_a.pk]) in html
    assert reverse("compare", args=[compared.round.pk, org.a1.pk]) in html
    assert reverse("batch_create", args=[compared.round.pk, org.dep_a.pk]) in html
    assert reverse("compare_trend", args=[org.dep_a.pk]) in html


def test_it_says_so_when_no_unit_has_completed(org, persona):
    round_ = make_round(org.dep_a, make_version(published=True))
    make_assessment(round_, org.a1)  # preparing
    response = persona("quality_developer").get(
        reverse("compare", args=[round_.pk, org.dep_a.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.context["comparison"].rows == []
    assert response.context["comparison"].units_in_round == 1
    assert 'id="heat-map"' not in html


def test_it_lists_the_rounds_and_starting_points_on_the_index(org, compared, persona):
    response = persona("quality_developer").get(reverse("compare_index"))
    html = response.content.decode()
    assert reverse("compare", args=[compared.round.pk, org.dep_a.pk]) in html
    assert reverse("compare", args=[compared.round.pk, org.root.pk]) not in html


def test_it_renders_the_comparison_as_a_tagged_pdf(org, compared, persona):
    import io

    from pypdf import PdfReader

    response = get_rendered(
        persona("quality_developer"),
        reverse("compare_pdf", args=[compared.round.pk, org.dep_a.pk]),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(body(response)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Enhet A1" in text and "Enhet A2" in text and "Enhet B1" not in text
    assert reader.metadata.title.startswith(("Jämförelse", "Comparison"))


def test_it_uses_heat_colours_that_keep_the_text_readable():
    css = (settings.BASE_DIR / "static" / "css" / "compare.css").read_text()
    colours = dict(re.findall(r"\.(hm\d) \{ background: (#[0-9a-f]{6}); \}", css))
    assert set(colours) == {"hm0", "hm1", "hm2", "hm3", "hm4", "hm5"}

    def luminance(colour: str) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    ink = luminance("#1f2933")
    for name, colour in colours.items():
        ratio = (luminance(colour) + 0.05) / (ink + 0.05)
        assert ratio >= 7, f"{name} {colour}: {ratio:.1f}:1"
    # Five distinct steps, not one colour.
    assert len({colours[f"hm{i}"] for i in range(1, 6)}) == 5


# --- scale ---------------------------------------------------------------------------------------


def _queries_for(client, round_, node) -> int:
    url = reverse("compare", args=[round_.pk, node.pk])
    client.get(url)  # warm: session, language
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_it_answers_in_the_same_number_of_queries_for_10_and_60_units(client):
    make_version(principles=7, statements=2, dimensions=3, published=True)
    small = generate.generate_org(units=10, respondents=5, small_units=2, seed=2)
    user = Unit.objects.get(code=generate.ROOT_CODE).roles.get(kind=RoleKind.QUALITY_DEVELOPER).user
    client.force_login(user)
    small_count = _queries_for(client, small.round, small.root)
    generate.delete_generated()

    large = generate.generate_org(units=60, respondents=5, small_units=5, seed=3)
    user = Unit.objects.get(code=generate.ROOT_CODE).roles.get(kind=RoleKind.QUALITY_DEVELOPER).user
    client.force_login(user)
    large_count = _queries_for(client, large.round, large.root)
    assert large.units == 60 and large.departments == 2
    assert small_count == large_count
    # And a department of the large tree costs the same too.
    department = Unit.objects.get(code="GEN-D01")
    assert _queries_for(client, large.round, department) == large_count


def _captured(client, round_, node):
    url = reverse("compare", args=[round_.pk, node.pk])
    client.get(url)  # warm: session, language
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured]


def test_it_runs_a_constant_number_of_queries_and_reads_no_answer_for_3_and_12_units(org, client):
    version = make_version(principles=3, statements=2, dimensions=2, published=True)
    units = [make_unit(f"A-{n}", f"Enhet A-{n:02}", parent=org.dep_a) for n in range(12)]
    few = make_round(org.root, version, name="Tre enheter")
    many = make_round(org.root, version, name="Tolv enheter")
    for round_, compared in ((few, units[:3]), (many, units)):
        for n, unit in enumerate(compared):
            # Every third unit has too few respondents: counts only, nothing released.
            complete(round_, unit, respondents=2 if n % 3 == 2 else 5, answer=1 + n % 5)
    client.force_login(org.quality_developer)

    counts = []
    for round_, size in ((few, 3), (many, 12)):
        response, sql = _captured(client, round_, org.dep_a)
        rows = response.context["comparison"].rows
        assert len(rows) == size
        assert sum(row.enough for row in rows) == size - size // 3
        assert all(c.median is not None for row in rows if row.enough for c in row.cells)
        assert all(c.median is None for row in rows if not row.enough for c in row.cells)
        assert [q for q in sql if any(table in q for table in ANSWER_TABLES)] == []
        counts.append(len(sql))
    assert counts[0] == counts[1]
