"""Numbers as the pages print them: the language's decimal mark and a real minus sign."""

import pytest
from django.template import Context, Template
from django.utils import translation

from assessments.templatetags.numbers import MINUS, decimal, score, signed


def test_it_writes_a_negative_change_with_a_real_minus_sign_and_the_decimal_comma():
    with translation.override("sv"):
        assert signed(-1.5) == "\u22121,5"
        assert signed(-1.5) != "-1,5"
        assert signed(1.5) == "+1,5"
        assert signed(-1) == f"{MINUS}1"
        assert signed(0) == "0"
    with translation.override("en"):
        assert signed(-1.5) == "\u22121.5"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4, "4,0"),
        (2.25, "2,3"),  # half up, as floatformat rounds
        (2.35, "2,4"),
        (-0.04, "0,0"),  # rounds to nothing: no sign on zero
        (-0.05, "\u22120,1"),
        (None, "–"),
    ],
)
def test_it_writes_a_figure_with_one_decimal_rounded_half_up(value, expected):
    with translation.override("sv"):
        assert decimal(value) == expected


def test_it_writes_a_median_of_whole_scores_without_a_zero_decimal():
    with translation.override("sv"):
        assert score(3.0) == "3"
        assert score(3.5) == "3,5"
        assert score(None) == "–"
    with translation.override("en"):
        assert score(3.5) == "3.5"


def test_it_offers_the_same_as_template_filters():
    template = Template(
        "{% load numbers %}{{ a|signed }} {{ b|decimal }} {{ c|score }} {{ a|decimal:2 }}"
    )
    with translation.override("sv"):
        assert template.render(Context({"a": -1.5, "b": 2.0, "c": 4.0})) == (
            "\u22121,5 2,0 4 \u22121,50"
        )
