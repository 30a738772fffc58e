"""The server-drawn SVG charts: geometry, accessibility markup, escaping, empty inputs."""

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from django.utils import translation
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from reports import charts
from reports.charts import Balance, DensityCell, ProfileRow, RadarAxis


@pytest.fixture(autouse=True)
def _english():
    """The assertions read the English legend texts; Swedish is the default language."""
    with translation.override("en"):
        yield


SVG = "{http://www.w3.org/2000/svg}"
SIDE = 100.0
HEIGHT = SIDE * math.sqrt(3) / 2
LABELS = {"market": "Marknad", "hierarchy": "Hierarki", "trust": "Tillit"}
HOSTILE = "<script>alert(1)</script>"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    """Every piece of visible text, one entry per <text> element (its tspans joined)."""
    return [
        " ".join(part.strip() for part in element.itertext() if part.strip())
        for element in root.iter(f"{SVG}text")
    ]


def radar_axes(count: int, **values: float | None) -> list[RadarAxis]:
    defaults = {"agreed": 3.5, "median": 3.0, "low": 2.0, "high": 4.5, "previous": 3.0}
    return [RadarAxis(f"Princip {i + 1}", **{**defaults, **values}) for i in range(count)]


def make_triangle(label: str = "Tillit", id_prefix: str = "triangle", **kwargs) -> SafeString:
    arguments = {
        "now": Balance(30, 50, 20),
        "desired": Balance(20, 30, 50),
        "cells": [DensityCell(20, 40, 5), DensityCell(0, 80, 7)],
        "labels": {**LABELS, "trust": label},
        "title": "Styrbalans",
        "description": "Nu och önskat läge.",
        "id_prefix": id_prefix,
        **kwargs,
    }
    return charts.balance_triangle(**arguments)


def make_radar(label: str = "Tillit", id_prefix: str = "radar", count: int = 7) -> SafeString:
    axes = radar_axes(count)
    axes[0] = RadarAxis(label, 4, 3.5, 2, 5, 3)
    return charts.principles_radar(
        axes, title="Principerna", description="Per princip.", id_prefix=id_prefix
    )


def make_profile(label: str = "Uppföljning", id_prefix: str = "profile") -> SafeString:
    rows = [
        ProfileRow(label, "Detaljerad kontroll", "Dialog om resultat", 2.5, 5.0),
        ProfileRow("Mål", "Många mål", "Få mål", 4.0, None),
    ]
    return charts.control_trust_profile(
        rows, title="Profil", description="Nu och önskat.", id_prefix=id_prefix
    )


def make_bars(label: str = "Vet ej", id_prefix: str = "bars") -> SafeString:
    counts = [("1", 0), ("2", 3), ("3", 7), ("4", 4), ("5", 1), (label, 2)]
    return charts.distribution_bars(
        counts, title="Fördelning", description="Antal svar.", id_prefix=id_prefix
    )


CHARTS: dict[str, Callable[..., SafeString]] = {
    "triangle": make_triangle,
    "radar": make_radar,
    "profile": make_profile,
    "bars": make_bars,
}

EMPTY_CHARTS: dict[str, Callable[[], SafeString]] = {
    "triangle": lambda: charts.balance_triangle(
        now=None,
        desired=None,
        labels=LABELS,
        title="t",
        description="d",
        id_prefix="e",
    ),
    "radar without axes": lambda: charts.principles_radar(
        [], title="t", description="d", id_prefix="e"
    ),
    "radar without values": lambda: charts.principles_radar(
        [RadarAxis(f"P{i}") for i in range(7)], title="t", description="d", id_prefix="e"
    ),
    "profile": lambda: charts.control_trust_profile([], title="t", description="d", id_prefix="e"),
    "bars": lambda: charts.distribution_bars([], title="t", description="d", id_prefix="e"),
}


# --- triangle geometry ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        (Balance(100, 0, 0), (0.0, HEIGHT)),  # market: bottom left
        (Balance(0, 100, 0), (SIDE / 2, 0.0)),  # hierarchy: top
        (Balance(0, 0, 100), (SIDE, HEIGHT)),  # trust: bottom right
        (Balance(33.3, 33.3, 33.4), (SIDE / 2, HEIGHT * 2 / 3)),  # ≈ centroid
        (Balance(50, 0, 50), (SIDE / 2, HEIGHT)),  # midpoint of the base
    ],
)
def test_it_places_known_balances_on_the_triangle(balance, expected):
    x, y = charts.triangle_point(balance, size=SIDE)

    assert x == pytest.approx(expected[0], abs=0.1)
    assert y == pytest.approx(expected[1], abs=0.1)


def test_it_scales_the_triangle_with_its_size():
    assert charts.triangle_point(Balance(0, 0, 100), size=300) == pytest.approx(
        (300, 300 * math.sqrt(3) / 2)
    )


@pytest.mark.parametrize(
    "values",
    [(30, 30, 30), (50, 30, 30), (-10, 60, 50), (math.nan, 50, 50), (120, -10, -10)],
)
def test_it_rejects_a_balance_that_is_not_100_points(values):
    with pytest.raises(ValueError):
        Balance(*values)


def test_it_accepts_a_rounded_average_that_misses_100_slightly():
    assert Balance(33.3, 33.3, 33.3).trust == 33.3


@st.composite
def balances(draw) -> Balance:
    market = draw(st.floats(0, 100, allow_nan=False))
    hierarchy = draw(st.floats(0, 100 - market, allow_nan=False))
    return Balance(market, hierarchy, max(0.0, 100 - market - hierarchy))


@given(balances())
def test_it_keeps_every_valid_balance_inside_the_triangle(balance):
    x, y = charts.triangle_point(balance, size=SIDE)
    tolerance = 1e-9

    # Inside means: below the apex, above the base, and on the inner side of both legs.
    assert -tolerance <= y <= HEIGHT + tolerance
    assert y >= HEIGHT * (1 - 2 * x / SIDE) - tolerance  # right of the left leg
    assert y >= HEIGHT * (2 * x / SIDE - 1) - tolerance  # left of the right leg


# --- markup shared by every chart ----------------------------------------------------------


@pytest.mark.parametrize("name", CHARTS)
def test_it_draws_one_accessible_svg(name):
    svg = CHARTS[name](id_prefix=f"chart-{name}")
    root = parse(svg)

    assert isinstance(svg, SafeString)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert title_id.startswith(f"chart-{name}") and desc_id.startswith(f"chart-{name}")
    assert "Source Sans 3" in root.get("font-family")


@pytest.mark.parametrize("name", CHARTS)
def test_it_escapes_labels_from_the_data(name):
    svg = str(CHARTS[name](label=HOSTILE))

    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    # Narrow columns cut the label into lines; joined up, it reads as typed.
    assert HOSTILE in [text.replace(" ", "") for text in texts(parse(svg))]


def test_it_escapes_the_title_and_description():
    svg = charts.distribution_bars(
        [("1", 1)], title=HOSTILE, description=f"{HOSTILE} & co", id_prefix="x"
    )
    root = parse(svg)

    assert "<script" not in str(svg)
    assert '<title id="x-title">&lt;script&gt;alert(1)&lt;/script&gt;</title>' in str(svg)
    assert root.find(f"{SVG}title").text == HOSTILE
    assert root.find(f"{SVG}desc").text == f"{HOSTILE} & co"


@pytest.mark.parametrize("name", CHARTS)
def test_it_keeps_ids_apart_for_charts_on_the_same_page(name):
    first, second = CHARTS[name](id_prefix="first"), CHARTS[name](id_prefix="second")
    ids = [{e.get("id") for e in parse(svg).iter() if e.get("id")} for svg in (first, second)]

    assert ids[0] and ids[1]
    assert not ids[0] & ids[1]


@pytest.mark.parametrize("prefix", ["", "1chart", 'a"onload="x', "a b", "a<b", "chart\n"])
def test_it_refuses_an_id_prefix_that_is_no_plain_name(prefix):
    with pytest.raises(ValueError):
        make_bars(id_prefix=prefix)


@pytest.mark.parametrize("name", CHARTS)
def test_it_rounds_numbers_in_the_markup(name):
    svg = str(CHARTS[name]())

    assert not re.search(r"\d\.\d{3,}", svg)


@pytest.mark.parametrize("name", EMPTY_CHARTS)
def test_it_draws_a_frame_and_says_so_when_there_is_nothing_to_show(name):
    root = parse(EMPTY_CHARTS[name]())

    assert root.get("role") == "img"
    assert len(list(root)) > 2  # title, desc and a drawing
    assert any("show" in text or "three" in text for text in texts(root))


def test_it_uses_colours_that_stand_out_against_white():
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in charts.DATA_COLOURS:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour


# --- triangle ------------------------------------------------------------------------------


def polygon_points(element: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in element.get("points").split()]


def inside(point: tuple[float, float], polygon: list[tuple[float, float]]) -> bool:
    """Whether ``point`` lies within a convex polygon (on the same side of every edge)."""
    x, y = point
    sides = set()
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        if abs(cross) > 1e-6:
            sides.add(cross > 0)
    return len(sides) == 1


def test_it_draws_density_cells_with_their_counts_and_both_agreed_markers_in_the_triangle():
    root = parse(make_triangle(cells=[DensityCell(20, 40, 5), DensityCell(40, 20, 12)]))
    cells = root.find(f"{SVG}g[@class='cells']").findall(f"{SVG}polygon")

    assert len(cells) == 2
    numbers = {
        "".join(e.itertext()): e.find(f"{SVG}tspan")
        for e in root.findall(f"{SVG}text")
        if "".join(e.itertext()) in {"5", "12"}
    }
    assert set(numbers) == {"5", "12"}
    for cell, count in zip(cells, ("5", "12"), strict=True):
        span = numbers[count]
        assert inside((float(span.get("x")), float(span.get("y"))), polygon_points(cell))
    # The agreed markers: a filled circle for now, a hollow diamond for desired.
    drawing = [e for e in root if e.get("class") != "legend"]
    now = [e for e in drawing if e.tag == f"{SVG}circle" and e.get("fill") == charts.NOW]
    desired = [e for e in drawing if e.tag == f"{SVG}polygon" and e.get("stroke") == charts.DESIRED]
    assert len(now) == 1 and len(desired) == 1
    assert {"Marknad", "Hierarki", "Tillit"} <= set(texts(root))
    legend = " ".join(texts(root.find(f".//{SVG}g[@class='legend']")))
    assert "Now" in legend and "Desired" in legend
    assert "Where several participants' views of now lie" in legend


def test_it_draws_no_dot_for_any_person_behind_the_cells():
    root = parse(make_triangle(cells=[DensityCell(20, 40, 5), DensityCell(0, 80, 7)]))
    drawing = [e for e in root if e.get("class") != "legend"]

    assert root.find(f".//{SVG}g[@class='participants']") is None
    assert root.find(f".//{SVG}g[@class='points']") is None
    # The one circle outside the legend is the agreed "now".
    circles = [c for e in drawing for c in e.iter(f"{SVG}circle")]
    assert [c.get("fill") for c in circles] == [charts.NOW]
    assert "One unit's agreed balance now" not in " ".join(texts(root))


@pytest.mark.parametrize(
    ("market", "hierarchy", "corners"),
    [
        (0, 80, 3),  # at the outer edge: market + hierarchy = 80
        (60, 20, 3),
        (80, 0, 3),
        (0, 0, 4),
        (20, 40, 4),
        (0, 60, 4),
        (60, 0, 4),
    ],
)
def test_it_draws_a_cell_at_the_outer_edge_as_a_triangle_and_others_with_four_corners(
    market, hierarchy, corners
):
    cell = DensityCell(market, hierarchy, 5)
    root = parse(make_triangle(cells=[cell]))
    (polygon,) = root.find(f"{SVG}g[@class='cells']").findall(f"{SVG}polygon")

    assert len(cell.corners()) == corners
    assert len(polygon_points(polygon)) == corners
    assert all(sum((c.market, c.hierarchy, c.trust)) == 100 for c in cell.corners())


@pytest.mark.parametrize(
    "values",
    [
        (80, 20, 5),  # reaches past the edge
        (100, 0, 5),
        (-20, 40, 5),
        (40, -20, 5),
        (40, 60, 5),
        (20, 40, -1),  # a negative count
        (10, 40, 5),  # off the grid
        (20, 40, 5, 0),  # no size
    ],
)
def test_it_refuses_a_density_cell_outside_the_triangle(values):
    with pytest.raises(ValueError):
        DensityCell(*values)


def test_it_draws_one_dot_per_unit_given_as_points():
    units = [Balance(40, 40, 20), Balance(20, 60, 20), Balance(25, 50, 25)]
    root = parse(make_triangle(cells=[], points=units))

    dots = root.find(f"{SVG}g[@class='points']").findall(f"{SVG}circle")
    assert len(dots) == 3
    for dot, unit in zip(dots, units, strict=True):
        # 500 wide, a side of 300 centred: the triangle starts at x = 100.
        x, _y = charts.triangle_point(unit, size=300)
        assert float(dot.get("cx")) == pytest.approx(100 + x, abs=0.1)
    assert root.find(f"{SVG}g[@class='cells']") is None
    legend = " ".join(texts(root.find(f".//{SVG}g[@class='legend']")))
    assert "One unit's agreed balance now" in legend
    assert "Where several participants' views" not in legend


def test_it_draws_twelve_gridlines_in_the_triangle():
    root = parse(make_triangle())

    # One path of twelve straight subpaths (cheaper to draw than twelve elements).
    (grid,) = root.find(f".//{SVG}g[@class='grid']")
    assert grid.get("d").count("M") == 12 and grid.get("d").count("L") == 12


def test_it_uses_the_callers_legend_texts():
    root = parse(
        make_triangle(
            points=[Balance(40, 40, 20)],
            legend={
                "now": "Nuläge",
                "desired": "Önskat läge",
                "cells": "Flera svar",
                "points": "En enhet",
            },
        )
    )

    assert {"Nuläge", "Önskat läge", "Flera svar", "En enhet"} <= set(texts(root))


# --- radar ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 5, 7, 9])
def test_it_draws_one_axis_per_principle(count):
    root = parse(make_radar(count=count))

    assert len(root.findall(f"{SVG}line[@class='axis']")) == count
    agreed = root.find(f"{SVG}polygon[@class='agreed']")
    assert len(agreed.get("points").split()) == count


def test_it_skips_missing_values_and_drops_a_series_with_fewer_than_three():
    axes = [
        RadarAxis("A", agreed=3, previous=2),
        RadarAxis("B", agreed=None, previous=None),
        RadarAxis("C", agreed=4, previous=None),
        RadarAxis("D", agreed=5, previous=None),
        RadarAxis("E", agreed=2, previous=3),
    ]
    root = parse(charts.principles_radar(axes, title="t", description="d", id_prefix="r"))

    assert len(root.find(f"{SVG}polygon[@class='agreed']").get("points").split()) == 4
    assert root.find(f"{SVG}polygon[@class='previous']") is None
    assert root.find(f"{SVG}path[@class='range']") is None
    assert "Previous round" not in " ".join(texts(root))


def test_it_draws_the_range_as_a_band_with_a_hole():
    root = parse(make_radar(count=6))
    band = root.find(f"{SVG}path[@class='range']")

    assert band.get("fill-rule") == "evenodd"
    assert band.get("d").count("M") == 2


def test_it_draws_the_band_from_the_lower_to_the_upper_quartile():
    root = parse(make_radar(count=6))
    axis = root.find(f"{SVG}line[@class='axis']")
    centre = float(axis.get("x1")), float(axis.get("y1"))
    outer, inner = root.find(f"{SVG}path[@class='range']").get("d").split("Z")[:2]

    def radii(subpath: str) -> set[float]:
        pairs = subpath.strip().lstrip("M").split()
        return {
            round(math.dist(centre, tuple(map(float, pair.split(",")))) / 30, 1) for pair in pairs
        }

    # 150 units for 5 steps: 30 a step. Every axis has low 2 and high 4.5 (the first 2 and 5).
    assert radii(outer) == {4.5, 5.0}
    assert radii(inner) == {2.0}
    legend = " ".join(texts(root.find(f".//{SVG}g[@class='legend']")))
    assert "Middle half of individual answers (interquartile range)" in legend
    assert "lowest to highest" not in legend


def test_it_refuses_a_radar_value_off_the_scale():
    with pytest.raises(ValueError):
        RadarAxis("A", agreed=6)
    with pytest.raises(ValueError):
        RadarAxis("A", low=4, high=2)


# --- profile -------------------------------------------------------------------------------


def test_it_puts_the_control_pole_before_the_trust_pole():
    svg = str(make_profile())

    assert svg.index("Detaljerad kontroll") < svg.index("Dialog om resultat")
    root = parse(svg)
    control = next(e for e in root.iter(f"{SVG}text") if "Detaljerad" in "".join(e.itertext()))
    trust = next(e for e in root.iter(f"{SVG}text") if "Dialog om" in "".join(e.itertext()))
    assert float(control.find(f"{SVG}tspan").get("x")) < float(trust.find(f"{SVG}tspan").get("x"))


def test_it_wraps_long_pole_texts_into_lines():
    long_text = "Detaljerad kontroll av varje ärende med många mått och täta rapporter uppåt"
    svg = charts.control_trust_profile(
        [ProfileRow("Uppföljning", long_text, "Dialog", 2, 6)],
        title="t",
        description="d",
        id_prefix="p",
    )
    root = parse(svg)
    control = next(e for e in root.iter(f"{SVG}text") if "Detaljerad" in "".join(e.itertext()))
    lines = [span.text for span in control.findall(f"{SVG}tspan")]

    assert len(lines) > 1
    assert " ".join(lines) == long_text


def test_it_joins_now_and_desired_only_when_both_are_known():
    root = parse(make_profile())
    rows = root.findall(f"{SVG}g[@class='profile-row']")

    assert len(rows[0].findall(f"{SVG}circle")) == 1
    assert len(rows[0].findall(f"{SVG}polygon")) == 1  # desired diamond
    assert len(rows[1].findall(f"{SVG}polygon")) == 0


def test_it_refuses_a_profile_value_off_the_scale():
    with pytest.raises(ValueError):
        ProfileRow("A", "a", "b", now=0)


# --- distribution --------------------------------------------------------------------------


def test_it_writes_each_count_next_to_its_bar():
    root = parse(make_bars())
    written = texts(root)

    for label, count in [("1", 0), ("2", 3), ("3", 7), ("4", 4), ("5", 1), ("Vet ej", 2)]:
        assert label in written
        assert str(count) in written
    assert len(root.findall(f"{SVG}rect")) == 5  # a zero count has no bar, only its number


def test_it_scales_bars_to_the_given_maximum():
    def bar_width(max_count: int | None) -> float:
        svg = charts.distribution_bars(
            [("1", 5)], title="t", description="d", id_prefix="b", max_count=max_count
        )
        return float(parse(svg).find(f"{SVG}rect").get("width"))

    assert bar_width(10) == pytest.approx(bar_width(None) / 2, abs=0.1)
    assert bar_width(2) == bar_width(None)  # a too small maximum never lets a bar overflow


def test_it_refuses_negative_counts():
    with pytest.raises(ValueError):
        charts.distribution_bars([("1", -1)], title="t", description="d", id_prefix="b")


# --- word wrap -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("", 10, []),
        ("Tillit", 10, ["Tillit"]),
        ("Dialog om resultat och lärande", 12, ["Dialog om", "resultat och", "lärande"]),
        ("  spaces   collapse ", 20, ["spaces collapse"]),
    ],
)
def test_it_wraps_words_at_spaces(text, width, expected):
    assert charts.wrap_words(text, width) == expected


def test_it_cuts_a_word_longer_than_a_line():
    lines = charts.wrap_words("Verksamhetsutvecklingsplan i år", 10)

    assert lines == ["Verksamhet", "sutvecklin", "gsplan i", "år"]
