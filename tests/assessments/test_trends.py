"""Trends across rounds: principles matched by key across framework versions, and the chart."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from principles.models import FrameworkVersion, Principle, VersionStatus
from reports import comparison
from reports.trends import TrendSeries, trend_lines
from tests.factories import make_round, make_version
from tests.factories_compare import complete

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(str(svg))
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


# --- the chart -------------------------------------------------------------------------------


def test_it_draws_one_panel_per_series_with_every_value_written():
    with translation.override("sv"):
        svg = trend_lines(
            [TrendSeries("Tillit", [3, 4.5]), TrendSeries("Öppenhet", [2, None])],
            x_labels=["HT 2025", "HT 2026"],
            title="Utveckling",
            description="Överenskomna värden per omgång.",
            id_prefix="trend",
        )
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Utveckling"
    assert len(root.findall(f".//{SVG}g[@class='trend-series']")) == 2
    words = texts(svg)
    assert {"Tillit", "Öppenhet", "HT 2025", "HT 2026"} <= set(words)
    # Scores are whole numbers: a whole median is written without decimals, a half with one.
    assert "3,0" not in words and "3.0" not in words
    assert "4,5" in words
    # Three points in all (one value is missing), and one line only: a gap stays a gap.
    assert len(root.findall(f".//{SVG}circle")) == 3
    assert len(root.findall(f".//{SVG}line[@stroke-width='2.5']")) == 1


def test_it_leaves_two_rounds_unjoined_when_told_to():
    svg = trend_lines(
        [TrendSeries("Tillit", [3, 4, 4])],
        x_labels=["HT 2025", "VT 2026", "HT 2026"],
        joined=[False, True],
        title="t",
        description="d",
        id_prefix="trend",
    )
    root = ET.fromstring(str(svg))
    assert len(root.findall(f".//{SVG}circle")) == 3
    assert len(root.findall(f".//{SVG}line[@stroke-width='2.5']")) == 1
    with pytest.raises(ValueError):
        trend_lines(
            [TrendSeries("x", [1, 2])],
            x_labels=["r", "s"],
            joined=[],
            title="t",
            description="d",
            id_prefix="t",
        )


def test_it_escapes_labels_and_refuses_values_off_the_scale():
    svg = trend_lines(
        [TrendSeries("<script>", [1])],
        x_labels=["a & b"],
        title="t",
        description="d",
        id_prefix="trend",
    )
    assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)
    with pytest.raises(ValueError):
        trend_lines(
            [TrendSeries("x", [6])], x_labels=["r"], title="t", description="d", id_prefix="t"
        )
    with pytest.raises(ValueError):
        trend_lines(
            [TrendSeries("x", [1, 2])], x_labels=["r"], title="t", description="d", id_prefix="t"
        )


def test_it_says_so_when_there_is_nothing_to_draw():
    svg = trend_lines([], x_labels=[], title="t", description="d", id_prefix="trend")
    assert texts(svg)  # the "no answers" message


# --- the data --------------------------------------------------------------------------------


def _new_version_renaming_p1(old: FrameworkVersion) -> FrameworkVersion:
    """A second published version where principle p1 has a new name (same key)."""
    version = make_version("Ramverk 2", principles=2, statements=2, published=False)
    Principle.objects.filter(version=version, key="p1").update(
        name_sv="Tillit och förtroende", name_en="Trust and confidence"
    )
    FrameworkVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    version.refresh_from_db()
    return version


@pytest.mark.django_db
def test_it_matches_a_renamed_principle_across_versions_by_its_key(org):
    first = make_version("Ramverk 1", principles=2, statements=2, published=True)
    second = _new_version_renaming_p1(first)
    autumn = make_round(
        org.root,
        first,
        name="HT 2025",
        opens_on=datetime.date(2025, 9, 1),
        closes_on=datetime.date(2025, 12, 1),
    )
    spring = make_round(
        org.root,
        second,
        name="VT 2026",
        opens_on=datetime.date(2026, 2, 1),
        closes_on=datetime.date(2026, 5, 1),
    )
    complete(autumn, org.a1, scores={"p1": 2, "p2": 3})
    complete(spring, org.a1, scores={"p1": 4, "p2": 3})

    with translation.override("sv"):
        trend = comparison.build_trend(org.quality_developer, org.a1)
    assert trend.is_unit
    assert [item.round.name for item in trend.rounds] == ["HT 2025", "VT 2026"]
    assert [(row.key, row.name, row.values) for row in trend.rows] == [
        ("p1", "Tillit och förtroende", [2.0, 4.0]),
        ("p2", "Princip 2", [3.0, 3.0]),
    ]


@pytest.mark.django_db
def test_it_gives_a_department_the_median_of_its_units_in_each_round(org):
    version = make_version(principles=1, statements=1, published=True)
    round_ = make_round(org.root, version)
    complete(round_, org.a1, scores=2)
    complete(round_, org.a2, scores=5)
    complete(round_, org.b1, scores=1)  # another department: not in A's trend
    trend = comparison.build_trend(org.quality_developer, org.dep_a)
    assert not trend.is_unit
    assert trend.rounds[0].units == 2
    assert trend.rows[0].values == [3.5]


@pytest.mark.django_db
def test_it_leaves_out_rounds_where_nothing_is_completed(org):
    version = make_version(principles=1, statements=1, published=True)
    done = make_round(org.root, version, name="Klar")
    open_ = make_round(org.root, version, name="Pågår")
    complete(done, org.a1, scores=4)
    complete(open_, org.a1, scores=1, state="dialogue")
    trend = comparison.build_trend(org.quality_developer, org.a1)
    assert [item.round.name for item in trend.rounds] == ["Klar"]


@pytest.mark.django_db
def test_it_shows_the_trend_as_a_table_and_a_chart(org, persona):
    version = make_version(principles=2, statements=1, published=True)
    round_ = make_round(org.root, version)
    complete(round_, org.a1, scores=4)
    response = persona("quality_developer").get(reverse("compare_trend", args=[org.dep_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<table" in html and "<svg" in html and 'role="img"' in html
    assert reverse("compare", args=[round_.pk, org.dep_a.pk]) in html


@pytest.mark.django_db
def test_it_hides_another_departments_trend(org, persona):
    assert (
        persona("quality_developer").get(reverse("compare_trend", args=[org.dep_b.pk])).status_code
        == 404
    )


# --- what a department's trend may say ---------------------------------------------------------


def _department_rounds(org, *, units: int, in_both: int):
    """Six units of Förvaltning A agree 4 in the autumn; ``in_both`` of them complete the
    spring too, agreeing 3, 3, 3, 4, 2, 2 in turn."""
    from tests.factories import make_unit

    version = make_version(principles=1, statements=1, published=True)
    autumn = make_round(
        org.root,
        version,
        name="HT 2025",
        opens_on=datetime.date(2025, 9, 1),
        closes_on=datetime.date(2025, 12, 1),
    )
    spring = make_round(
        org.root,
        version,
        name="VT 2026",
        opens_on=datetime.date(2026, 2, 1),
        closes_on=datetime.date(2026, 5, 1),
    )
    made = [make_unit(f"T{n}", f"Enhet T{n}", parent=org.dep_a) for n in range(units)]
    for unit in made:
        complete(autumn, unit, scores=4)
    for unit, score in zip(made[:in_both], [3, 3, 3, 4, 2, 2], strict=False):
        complete(spring, unit, scores=score)
    return autumn, spring


@pytest.mark.django_db
def test_it_hides_a_departments_change_when_fewer_than_five_units_completed_both_rounds(org):
    _department_rounds(org, units=6, in_both=comparison.TREND_MIN_UNITS - 1)
    trend = comparison.build_trend(org.quality_developer, org.dep_a)
    assert not trend.is_unit
    assert [item.units for item in trend.rounds] == [6, 4]
    step = trend.steps[0]
    assert (step.units, step.shown) == (4, False)
    assert trend.rows[0].values == [4.0, 3.0]  # each round's own units, described as such
    assert trend.rows[0].changes == [None]


@pytest.mark.django_db
def test_it_shows_the_change_of_the_units_in_both_rounds_from_five_on(org):
    _department_rounds(org, units=6, in_both=comparison.TREND_MIN_UNITS)
    trend = comparison.build_trend(org.quality_developer, org.dep_a)
    step = trend.steps[0]
    assert (step.units, step.shown) == (5, True)
    change = trend.rows[0].changes[0]
    # The five in both: 4, 4, 4, 4, 4 before and 3, 3, 3, 4, 2 after (the sixth unit,
    # autumn only, is in the autumn's median but not in the change).
    assert change == comparison.Change(
        value=-1.0, before=4.0, after=3.0, units=5, higher=0, same=1, lower=4
    )
    assert not step.same_units  # the sixth unit completed the autumn only


@pytest.mark.django_db
def test_it_says_on_the_page_what_the_trend_compares_and_what_it_hides(org, persona):
    _department_rounds(org, units=6, in_both=4)
    client = persona("quality_developer")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("compare_trend", args=[org.dep_a.pk])).content.decode()
    assert "a change compares only the units that completed both rounds" in html
    assert "A change is shown only where at least 5 units completed both rounds" in html
    assert "not shown: 4 units in both rounds" in html
    row = re.search(r"<tbody>\s*<tr>.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', row, re.S)
    # Whole-number medians without a decimal, and no change between them.
    assert cells == ["4", "–", "3"]
    # The chart draws the points but no line between the rounds.
    chart = html.split("<svg")[1]
    assert 'stroke-width="2.5"' not in chart


@pytest.mark.django_db
def test_it_prints_a_fall_with_a_real_minus_sign_and_counts_the_units(org, persona):
    _department_rounds(org, units=6, in_both=5)
    client = persona("quality_developer")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("compare_trend", args=[org.dep_a.pk])).content.decode()
    assert "5 units in both rounds" in html
    assert "<b>\u22121</b>" in html and "<b>-1</b>" not in html
    assert "from 4 to 3" in html and "0 higher, 1 same, 4 lower" in html
    # The rounds' medians stand on different units (six, then five): no line joins them.
    assert 'stroke-width="2.5"' not in html.split("<svg")[1]


@pytest.mark.django_db
def test_it_joins_the_rounds_in_the_chart_only_where_the_same_units_completed_both(org, persona):
    _department_rounds(org, units=5, in_both=5)
    trend = comparison.build_trend(org.quality_developer, org.dep_a)
    assert trend.steps[0].shown and trend.steps[0].same_units
    html = persona("quality_developer").get(reverse("compare_trend", args=[org.dep_a.pk]))
    assert html.content.decode().split("<svg")[1].count('stroke-width="2.5"') == 1


@pytest.mark.django_db
def test_it_shows_one_units_own_change_whatever_the_number_of_units(org, persona):
    version = make_version(principles=1, statements=1, published=True)
    first = make_round(org.root, version, name="HT 2025", opens_on=datetime.date(2025, 9, 1))
    second = make_round(org.root, version, name="VT 2026", opens_on=datetime.date(2026, 2, 1))
    complete(first, org.a1, scores=4)
    complete(second, org.a1, scores=2)
    trend = comparison.build_trend(org.quality_developer, org.a1)
    assert trend.is_unit and trend.steps[0].shown
    assert trend.rows[0].changes[0].value == -2.0
    client = persona("quality_developer")
    html = client.get(reverse("compare_trend", args=[org.a1.pk])).content.decode()
    assert "<b>\u22122</b>" in html
    assert "higher" not in html.split("<tbody>")[1].split("</tbody>")[0]
