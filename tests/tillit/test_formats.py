"""One date style per language (tillit/formats), used by name on the comparison pages."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.factories import make_round, make_version
from tests.factories_compare import complete

DAY = datetime.date(2026, 12, 2)


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [("sv", "2 december 2026", "2026-12-02"), ("en", "2 December 2026", "2026-12-02")],
)
def test_it_writes_a_date_in_one_long_and_one_short_form_per_language(language, long, short):
    assert _render('{{ day|date:"DATE_FORMAT" }}', language, day=DAY) == long
    assert _render('{{ day|date:"SHORT_DATE_FORMAT" }}', language, day=DAY) == short
    # The filter's own default is the long form.
    assert _render("{{ day|date }}", language, day=DAY) == long


@pytest.mark.parametrize(
    ("language", "expected"),
    [("sv", "2 december 2026 14:05"), ("en", "2 December 2026, 14:05")],
)
def test_it_writes_a_date_and_time_with_a_24_hour_clock(language, expected):
    moment = datetime.datetime(2026, 12, 2, 14, 5)
    assert _render('{{ moment|date:"DATETIME_FORMAT" }}', language, moment=moment) == expected
    assert _render('{{ moment|date:"SHORT_DATETIME_FORMAT" }}', language, moment=moment) == (
        "2026-12-02 14:05"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "period"),
    [("sv", "1 september 2026 – 15 december 2026"), ("en", "1 September 2026 – 15 December 2026")],
)
def test_it_dates_the_rounds_and_actions_of_the_comparison_alike(org, client, language, period):
    round_ = make_round(org.root, make_version(principles=1, statements=1, published=True))
    complete(
        round_,
        org.a1,
        actions=[{"title": "Ny rutin", "due_on": datetime.date(2027, 6, 18)}],
    )
    client.force_login(org.quality_developer)
    client.cookies["django_language"] = language
    index = client.get(reverse("compare_index")).content.decode()
    assert period in index
    page = client.get(reverse("compare", args=[round_.pk, org.dep_a.pk])).content.decode()
    actions = page.split('id="actions-caption"')[1].split("</table>")[0]
    assert '<span class="text-nowrap">2027-06-18</span>' in actions
    # No abbreviated month anywhere on the page ("18 Jun 2027", "1 Sep 2026").
    for month in ("Jun", "jun", "Sep", "sep", "Dec", "dec"):
        assert f" {month} 20" not in page + index


def test_it_formats_every_date_in_the_templates_by_a_named_format():
    """A literal format ("j M Y") in a template bypasses the per-language style."""
    import re
    from pathlib import Path

    from django.conf import settings

    literal = re.compile(r"\|date:(?:\"(?P<d>[^\"]*)\"|'(?P<s>[^']*)')")
    named = {
        "DATE_FORMAT",
        "SHORT_DATE_FORMAT",
        "DATETIME_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "TIME_FORMAT",
        "YEAR_MONTH_FORMAT",
        "MONTH_DAY_FORMAT",
        "c",
    }
    found = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        for match in literal.finditer(path.read_text()):
            if (match["d"] or match["s"]) not in named:
                found.append(f"{path.name}: {match[0]}")
    assert found == []
