"""The overview above the units: grouped by level and kind, totals, hindering units and
proposals; completed assessments only; scoped; exports; constant queries at 1,000 units."""

import io
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import generate
from assessments.models import AssessmentState, Unit
from governance.content import add_content
from governance.models import SteeringSignal
from tests.factories import make_assessment, make_round, make_unit, make_version
from tests.factories_governance import add_chain, make_signal
from tests.factories_reports import get_rendered

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(owners):
    """The weekly statistics report: three units of Förvaltning A propose to do it together,
    two find it hindering; Enhet B1 (elsewhere) names it too; a fourth unit is still in its
    dialogue."""
    version = add_chain(make_version(published=True))
    round_ = make_round(owners.root, version)
    a3 = make_unit("A3", "Enhet A3", parent=owners.dep_a)
    a4 = make_unit("A4", "Enhet A4", parent=owners.dep_a)
    done = {}
    for unit in (owners.a1, owners.a2, a3, owners.b1):
        done[unit.code] = make_assessment(
            round_, unit, state=AssessmentState.COMPLETED, completed_at=timezone.now()
        )
    for code, effect in (
        ("A1", "hinders"),
        ("A2", "hinders"),
        ("A3", "neither"),
        ("B1", "hinders"),
    ):
        make_signal(
            done[code],
            "Veckovis statistikrapport",
            hours=20,
            effect=effect,
            proposal="together",
            reason=f"Kvartalsdialog {code}",
        )
    make_signal(
        done["A1"],
        "Månadsbudget",
        level="politisk-namnd",
        kind="ekonomisk-styrning",
        hours=6,
        effect="helps",
        proposal="keep",
    )
    running = make_assessment(round_, a4, state=AssessmentState.DIALOGUE)
    make_signal(running, "PÅGÅENDE-SIGNAL", hours=99)
    return round_


def _overview(client, round_, node):
    return client.get(reverse("governance_overview", args=[round_.pk, node.pk]))


@pytest.mark.parametrize("who", ["steering_owner", "quality_developer"])
def test_it_groups_by_level_and_kind_with_totals(owners, story, client, who):
    client.force_login(getattr(owners, who))
    page = _overview(client, story, owners.dep_a).content.decode()
    # English names here (the page's language); Swedish ones in the export test.
    assert "Förvaltning management" in page and "Management by objectives and results" in page
    assert "Political board" in page and "Financial steering" in page
    # 3 units × 20 h under the förvaltning's management, 2 of them find it hindering.
    assert "3 units find it hindering" not in page  # two do
    assert "2 units find it hindering" in page and "60 hours a month" in page
    assert "Do it together with us: <strong>3</strong>" in page
    for code in ("A1", "A2", "A3"):
        assert f"Kvartalsdialog {code}" in page
    assert "Kvartalsdialog B1" not in page  # another förvaltning
    assert "PÅGÅENDE-SIGNAL" not in page  # not completed


def test_it_never_ranks_the_units(owners, story, client):
    client.force_login(owners.quality_developer)
    page = _overview(client, story, owners.dep_a).content.decode()
    # Within a group, signals are in the order of their title and the tree, not of hours.
    assert (
        page.index("Kvartalsdialog A1")
        < page.index("Kvartalsdialog A2")
        < page.index("Kvartalsdialog A3")
    )


@pytest.mark.parametrize("who", ["steering_owner_elsewhere", "quality_developer_elsewhere"])
def test_it_answers_404_to_a_person_of_another_forvaltning(owners, story, client, who):
    client.force_login(getattr(owners, who))
    assert _overview(client, story, owners.dep_a).status_code == 404
    signal = SteeringSignal.objects.get(reason="Kvartalsdialog A1")
    assert client.get(reverse("governance_answer", args=[signal.pk])).status_code == 404


def test_it_exports_csv_and_xlsx_with_the_same_rows(owners, story, client):
    client.force_login(owners.steering_owner)
    client.cookies["django_language"] = "sv"
    csv = client.get(reverse("governance_overview_csv", args=[story.pk, owners.dep_a.pk]))
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert "Kvartalsdialog A2" in text and "Kvartalsdialog B1" not in text
    assert "PÅGÅENDE-SIGNAL" not in text
    xlsx = client.get(reverse("governance_overview_xlsx", args=[story.pk, owners.dep_a.pk]))
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    _readme, data, summary_sheet = book.worksheets
    rows = list(data.iter_rows(values_only=True))
    assert len(rows) == 1 + 4  # header, three reports and one budget
    summary = list(summary_sheet.iter_rows(values_only=True))
    assert ("Förvaltningsledning", "Mål- och resultatstyrning", 3, 3, 60, 2) in [
        row[:6] for row in summary
    ]
    # In the framework's order of levels: the political board before the management.
    assert [row[0] for row in summary[1:]] == ["Politisk nämnd", "Förvaltningsledning"]


def test_it_neutralises_formulas_in_exports(owners, story, client):
    make_signal(story.assessments.get(unit=owners.a1), '=HYPERLINK("http://x")', hours=1)
    client.force_login(owners.steering_owner)
    text = client.get(
        reverse("governance_overview_csv", args=[story.pk, owners.dep_a.pk])
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_it_answers_403_on_the_start_page_to_people_without_a_role(owners, client):
    for who in ("manager_of_a", "outsider"):
        client.force_login(getattr(owners, who))
        assert client.get(reverse("governance_index")).status_code == 403


@pytest.mark.parametrize("units", [40, 1000])
def test_it_answers_with_a_constant_number_of_queries(units, client, django_assert_num_queries):
    from django.conf import settings

    version = make_version(principles=2, statements=1, dimensions=1, published=True)
    add_content(version)
    generated = generate.generate_org(units=units, respondents=1, departments=4, seed=3)
    owner = Unit.objects.get(code=generate.ROOT_CODE).roles.get(kind="steering_owner").user
    client.force_login(owner)
    url = reverse("governance_overview", args=[generated.round.pk, generated.root.pk])
    client.get(url)  # warm up (templates, translations)
    # session, user, roles, node, round, count of completed units, the signals
    with django_assert_num_queries(7):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    signals = SteeringSignal.objects.filter(assessment__round=generated.round).count()
    assert f"<dd>{signals}</dd>" in response.content.decode()
    # Not a wall-clock assertion: the figure is written for the report of the change.
    print(
        f"\n[overview] {units} units, {signals} signals, {elapsed:.2f} s, "
        f"{len(response.content) // 1024} KiB, db={settings.DATABASES['default']['ENGINE']}"
    )


def test_it_adds_the_signals_to_the_comparison_pdf_of_its_part_of_the_tree(owners, story, client):
    import io

    from pypdf import PdfReader

    client.force_login(owners.quality_developer)
    response = get_rendered(client, reverse("compare_pdf", args=[story.pk, owners.dep_a.pk]))

    assert response.status_code == 200
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(
            io.BytesIO(
                b"".join(response.streaming_content) if response.streaming else response.content
            )
        ).pages
    )
    assert "Steering signals named by the units" in text
    # A1, A2, A3 of Förvaltning A: 3 × 20 + 6 hours; B1 (elsewhere) and A4 (running) are out.
    assert "3 of 3 completed units named steering signals, 66 hours a month in all" in text
    assert "PÅGÅENDE" not in text and "Kvartalsdialog" not in text  # totals, not statements
