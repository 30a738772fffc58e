"""Trends across rounds: principles matched by key across framework versions, and the chart."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assessments import comparison
from assessments.reports.trends import TrendSeries, trend_lines
from principles.models import FrameworkVersion, Principle, VersionStatus
from tests.factories import make_round, make_version
from tests.factories_compare import complete

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(str(svg))
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


# --- the chart -------------------------------------------------------------------------------


def test_it_draws_one_panel_per_series_with_every_value_written():
    svg = trend_lines(
        [TrendSeries("Tillit", [3, 4]), TrendSeries("Öppenhet", [2, None])],
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
    assert words.count("3.0") + words.count("3,0") == 1
    # Three points in all (one value is missing), and one line only: a gap stays a gap.
    assert len(root.findall(f".//{SVG}circle")) == 3


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
