"""Rounds: opening one across part of the tree, and looking at them, within one's scope."""

import datetime
import html
import re
import secrets

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import answers, joincodes, rounds
from assessments.models import AssessmentState, Respondent, Round, UnitAssessment
from principles.models import FrameworkVersion
from tests.factories import make_assessment, make_round, make_unit, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    # Used by the `persona` fixture; English UI strings keep the assertions stable.
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def version(db):
    return make_version(published=True, principles=1, statements=1, dimensions=1)


def form_data(org, version, **changes) -> dict:
    data = {
        "name": "Tillitsskattning HT 2026",
        "framework_version": version.pk,
        "opens_on": "2026-09-01",
        "closes_on": "2026-12-15",
        "root": org.dep_a.pk,
        "units": [org.a1.pk, org.a2.pk],
    }
    data.update(changes)
    return data


def error_next_to(response, field: str) -> str:
    """crispy-forms puts a field's message in an element with id `error_1_id_<field>`."""
    text = response.content.decode()
    match = re.search(rf'id="error_1_id_{field}"[^>]*>\s*<strong>([^<]*)<', text)
    if not match:
        match = re.search(rf'id="{field}-error"[^>]*>\s*<p[^>]*>([^<]*)<', text)
    assert match, f"no message next to {field}"
    return html.unescape(match.group(1)).strip()


def nothing_stored() -> bool:
    return not Round.objects.exists() and not UnitAssessment.objects.exists()


# ---------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------


def test_it_opens_a_round_with_one_preparing_assessment_and_a_code_per_unit(org, version):
    round_ = rounds.open_round(
        user=org.quality_developer,
        name="  Tillitsskattning HT 2026 ",
        framework_version=version,
        root=org.dep_a,
        opens_on=datetime.date(2026, 9, 1),
        closes_on=datetime.date(2026, 12, 15),
        units=[org.a1, org.a2],
    )
    assert round_.name == "Tillitsskattning HT 2026"
    assert round_.created_by == org.quality_developer
    assessments = list(round_.assessments.order_by("unit__code"))
    assert [a.unit for a in assessments] == [org.a1, org.a2]
    assert {a.state for a in assessments} == {AssessmentState.PREPARING}
    codes = [a.join_code for a in assessments]
    assert len(set(codes)) == 2
    for code in codes:
        assert joincodes.normalize(code) == code
        assert len(code) == 10


def test_it_opens_a_round_in_the_same_number_of_queries_for_2_or_12_units(org, version):
    many = [make_unit(f"A1-{i}", f"Grupp {i}", parent=org.a1) for i in range(10)]
    counts = []
    for units in ([org.a2, org.b1], [org.a2, org.b1, *many]):
        with CaptureQueriesContext(connection) as captured:
            rounds.open_round(
                user=org.administrator,
                name="R",
                framework_version=version,
                root=org.root,
                opens_on=datetime.date(2026, 9, 1),
                closes_on=datetime.date(2026, 9, 1),
                units=units,
            )
        counts.append(len(captured))
    assert counts[0] == counts[1]


def _open(user, org, version, **changes):
    fields = {
        "user": user,
        "name": "R",
        "framework_version": version,
        "root": org.dep_a,
        "opens_on": datetime.date(2026, 9, 1),
        "closes_on": datetime.date(2026, 12, 15),
        "units": [org.a1],
    }
    fields.update(changes)
    return rounds.open_round(**fields)


def test_it_refuses_in_the_service_what_the_form_would_refuse(org, version):
    draft = make_version("Utkast")
    cases = [
        ({"name": " "}, "name"),
        ({"framework_version": draft}, "framework_version"),
        ({"closes_on": datetime.date(2026, 8, 31)}, "closes_on"),
        ({"units": []}, "units"),
        ({"units": [org.b1]}, "units"),  # outside the chosen part and the person's tree
        ({"root": org.dep_b, "units": [org.b1]}, "root"),
        ({"root": org.a1, "units": [org.a2]}, "units"),  # a sibling outside the chosen part
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as refused:
            _open(org.quality_developer, org, version, **changes)
        assert field in refused.value.message_dict, changes
    with pytest.raises(PermissionDenied):
        _open(org.manager_of_a, org, version)
    with pytest.raises(PermissionDenied):
        _open(org.outsider, org, version)
    assert nothing_stored()


def test_it_keeps_a_quality_developer_to_their_own_department_in_the_service(org, version):
    with pytest.raises(ValidationError) as refused:
        _open(org.quality_developer_elsewhere, org, version, root=org.dep_b, units=[org.a1])
    assert "Only units within" in str(refused.value)
    with pytest.raises(ValidationError):
        _open(org.quality_developer_elsewhere, org, version, root=org.dep_a, units=[org.a1])
    assert nothing_stored()


def test_it_takes_the_leaves_under_the_chosen_unit_by_default(org):
    leaves = rounds.default_units(rounds.units_under(org.administrator, org.root))
    assert {u.code for u in leaves} == {"A1", "A2", "B1"}
    assert {u.code for u in rounds.default_units([org.a1])} == {"A1"}


# ---------------------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------------------


def test_it_shows_the_units_of_the_tree_with_the_leaves_ticked(org, persona, version):
    response = persona("quality_developer").get(reverse("round_create"))
    assert response.status_code == 200
    text = response.content.decode()
    assert re.search(rf'value="{org.a1.pk}" id="unit-{org.a1.pk}" checked', text)
    assert re.search(rf'value="{org.a2.pk}" id="unit-{org.a2.pk}" checked', text)
    assert re.search(rf'value="{org.dep_a.pk}" id="unit-{org.dep_a.pk}">', text)
    assert "Enhet B1" not in text
    assert f'value="{version.pk}" selected' in text  # the current published version
    # The opening part of the tree can be changed to a smaller one.
    response = persona("quality_developer").get(reverse("round_create"), {"root": org.a1.pk})
    text = response.content.decode()
    assert re.search(rf'value="{org.a1.pk}" id="unit-{org.a1.pk}" checked', text)
    assert f'id="unit-{org.a2.pk}"' not in text


def test_it_opens_a_round_from_the_form(org, persona, version):
    response = persona("quality_developer").post(reverse("round_create"), form_data(org, version))
    round_ = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("round_detail", kwargs={"pk": round_.pk})
    assert round_.root == org.dep_a
    assert set(round_.assessments.values_list("unit__code", flat=True)) == {"A1", "A2"}


def test_it_refuses_a_round_that_closes_before_it_opens(org, persona, version):
    response = persona("quality_developer").post(
        reverse("round_create"), form_data(org, version, closes_on="2026-08-31")
    )
    assert response.status_code == 400
    assert error_next_to(response, "closes_on") == "The round cannot close before it opens."
    assert nothing_stored()


def test_it_refuses_a_draft_framework_version(org, persona, version):
    draft = make_version("Utkast")
    response = persona("quality_developer").post(
        reverse("round_create"), form_data(org, version, framework_version=draft.pk)
    )
    assert response.status_code == 400
    assert "Select a valid choice" in error_next_to(response, "framework_version")
    assert FrameworkVersion.objects.published().count() == 1
    assert nothing_stored()


def test_it_refuses_no_units(org, persona, version):
    response = persona("quality_developer").post(
        reverse("round_create"), form_data(org, version, units=[])
    )
    assert response.status_code == 400
    assert error_next_to(response, "units") == "Choose at least one unit to take part."
    assert nothing_stored()


def test_it_lets_no_quality_developer_choose_units_outside_their_tree(org, persona, version):
    client = persona("quality_developer_elsewhere")
    # Their own part of the tree, with a unit of another department slipped in.
    response = client.post(
        reverse("round_create"), form_data(org, version, root=org.dep_b.pk, units=[org.a1.pk])
    )
    assert response.status_code == 400
    assert "Only units within the chosen part" in error_next_to(response, "units")
    # Another department's part of the tree.
    response = client.post(reverse("round_create"), form_data(org, version))
    assert response.status_code == 400
    assert "Choose a part of the organisation you are responsible for." in (
        html.unescape(response.content.decode())
    )
    assert nothing_stored()
    # Nor look at it.
    response = client.get(reverse("round_create"), {"root": org.dep_a.pk})
    assert response.status_code == 404


def test_it_lists_only_the_rounds_in_ones_own_part_of_the_tree(org, persona, version):
    make_round(org.dep_a, version, name="Runda A")
    make_round(org.dep_b, version, name="Runda B")
    make_round(org.root, version, name="Runda hela kommunen")
    seen = {}
    for name in ("quality_developer", "quality_developer_elsewhere", "administrator"):
        text = persona(name).get(reverse("round_list")).content.decode()
        seen[name] = {r for r in ("Runda A", "Runda B", "Runda hela kommunen") if r in text}
    assert seen["quality_developer"] == {"Runda A"}
    assert seen["quality_developer_elsewhere"] == {"Runda B"}
    assert seen["administrator"] == {"Runda A", "Runda B", "Runda hela kommunen"}


def test_it_shows_a_round_with_its_units_states_and_respondent_counts(org, persona, version):
    round_ = make_round(org.dep_a, version, name="Runda A")
    a1 = make_assessment(round_, org.a1, state=AssessmentState.INDIVIDUAL)
    make_assessment(round_, org.a2)
    for i in range(3):
        Respondent.objects.create(
            assessment=a1,
            token_hash=answers.hash_token(f"t{i}"),
            finished_at="2026-10-01T10:00:00+00:00" if i else None,
        )
    response = persona("quality_developer").get(reverse("round_detail", args=[round_.pk]))
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.content.decode())
    assert "Enhet A1" in text and "Enhet A2" in text
    assert "Individual reflection" in text and "Preparing" in text
    assert re.search(
        r"Enhet A1 .*?</th>.*?<td class=\"text-end\">3</td> <td class=\"text-end\">2</td>", text
    )
    assert "3 respondents" in text
    # No one's answers and no join codes on the planner's page.
    assert a1.join_code not in text


def test_it_answers_404_for_a_round_of_another_department(org, persona, version):
    round_ = make_round(org.dep_a, version, name="Runda A")
    response = persona("quality_developer_elsewhere").get(reverse("round_detail", args=[round_.pk]))
    assert response.status_code == 404


def _populate(org, version, n_rounds: int, units_per_round: int) -> Round:
    units = [org.a1, org.a2] + [
        make_unit(f"X{secrets.token_hex(3)}", parent=org.a2) for _ in range(units_per_round - 2)
    ]
    last = None
    for r in range(n_rounds):
        last = make_round(org.dep_a, version, name=f"Runda {r}")
        for unit in units:
            assessment = make_assessment(last, unit)
            Respondent.objects.bulk_create(
                Respondent(assessment=assessment, token_hash=secrets.token_hex(32))
                for _ in range(3)
            )
    return last


def test_it_lists_rounds_and_shows_a_round_in_a_fixed_number_of_queries(org, persona, version):
    client = persona("quality_developer")
    counts = []
    for n_rounds, n_units in ((1, 2), (5, 10)):  # 1 round of 2 units, then 6 rounds in all
        last = _populate(org, version, n_rounds, n_units)
        with CaptureQueriesContext(connection) as listing:
            assert client.get(reverse("round_list")).status_code == 200
        with CaptureQueriesContext(connection) as detail:
            assert client.get(reverse("round_detail", args=[last.pk])).status_code == 200
        counts.append((len(listing), len(detail)))
    assert counts[0] == counts[1]
    # session, user, roles, then one query for the list; the round and its assessments for
    # the detail page.
    assert counts[0] == (4, 5)
