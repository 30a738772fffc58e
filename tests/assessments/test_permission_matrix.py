import importlib
import io
import pkgutil

import pytest
from django.urls import reverse

from tests.assessments import matrix
from tests.assessments.matrix import LOGIN, MORE_PERSONAS, PERSONAS
from tests.factories import make_assessment
from tests.factories_reports import get_rendered

pytestmark = pytest.mark.django_db


def _all_cases():
    for module_info in pkgutil.iter_modules(matrix.__path__):
        if module_info.name.startswith("cases_"):
            module = importlib.import_module(f"{matrix.__name__}.{module_info.name}")
            yield from module.CASES


CASES = list(_all_cases())
PAIRS = [
    (case, name)
    for case in CASES
    for name in [*PERSONAS, *(more for more in MORE_PERSONAS if more in case.expect)]
]


# Planted data and who may ever see it. Every response to every other persona must lack it,
# whatever the view: another unit's actions, rounds and dialogue notes, and a participant's
# comment, which only the unit's own dialogue shows (never a case here).
MARKERS = {
    "MARKER-B1": {"administrator", "quality_developer_elsewhere"},
    "MARKER-A2": {"administrator", "quality_developer", "manager_of_b"},
    "MARKER-COMMENT": set(),
    # Steering signals and the answers to them (governance): the unit, the people above it.
    "MARKER-SIGNAL-B1": {
        "administrator",
        "quality_developer_elsewhere",
        "steering_owner_elsewhere",
    },
    "MARKER-SIGNAL-A2": {"administrator", "quality_developer", "manager_of_b", "steering_owner"},
}
# Förvaltning management sees the rounds and signals of its part of the tree, never another
# unit's actions, dialogue notes or a participant's comment.
STEERING_MARKERS = {
    "MARKER-B1-ACTION": set(),
    "MARKER-B1-NOTE": set(),
    "MARKER-A2-ACTION": set(),
    "MARKER-A2-NOTE": set(),
    "MARKER-COMMENT": set(),
    "MARKER-SIGNAL-B1": MARKERS["MARKER-SIGNAL-B1"],
    "MARKER-SIGNAL-A2": MARKERS["MARKER-SIGNAL-A2"],
}


def _plant(org) -> None:
    from assessments.models import Action, PrincipleAgreement, RoleKind
    from tests.factories import give_role, make_round, make_user, make_version, release
    from tests.factories_dialogue import add_respondents
    from tests.factories_governance import make_signal
    from tests.factories_reports import complete

    org.steering_owner = make_user("ledning-a", first_name="Lea")
    org.steering_owner_elsewhere = make_user("ledning-b", first_name="Leo")
    give_role(org.steering_owner, org.dep_a, RoleKind.STEERING_OWNER)
    give_role(org.steering_owner_elsewhere, org.dep_b, RoleKind.STEERING_OWNER)
    version = make_version(published=True)
    for unit, marker in ((org.b1, "MARKER-B1"), (org.a2, "MARKER-A2")):
        round_ = make_round(unit, version, name=f"{marker}-ROUND")
        assessment = make_assessment(round_, unit, share_notes=True)
        Action.objects.create(assessment=assessment, title=f"{marker}-ACTION", responsible="X")
        PrincipleAgreement.objects.create(
            assessment=assessment,
            principle=version.principles.first(),
            score=3,
            strengths=f"{marker}-NOTE",
        )
        complete(assessment)
        make_signal(
            assessment,
            f"MARKER-SIGNAL-{marker[-2:]}",
            answer={"status": "kept", "text": f"MARKER-SIGNAL-{marker[-2:]}-ANSWER"},
        )
    # A participant's comment in a released snapshot of Enhet A1.
    commented = make_assessment(make_round(org.a1, version, name="Kommentarer"), org.a1)
    add_respondents(commented, 5, comment=lambda i, position: "MARKER-COMMENT" if i == 0 else "")
    release(commented)
    complete(commented)


def _text_of(response) -> str:
    """What a person reads in the response: pages, JSON, CSV, and the text of PDFs and XLSX."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in kind:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheet" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return body.decode("utf-8", errors="replace")


@pytest.mark.parametrize(("case", "persona_name"), PAIRS, ids=[f"{c.id}-{p}" for c, p in PAIRS])
def test_it_answers_each_persona_as_expected(case, persona_name, org, persona):
    _plant(org)
    data = case.setup(org) if case.setup else None
    client = persona(persona_name)
    url = case.url(org, data)
    payload = case.data(org, data) if case.data else {}
    if case.method == "get":
        response = get_rendered(client, url, payload)  # a PDF waits for its background render
    else:
        response = getattr(client, case.method)(url, payload)
    expected = case.expect[persona_name]
    if expected == LOGIN:
        assert response.status_code == 302, f"{case.id}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == expected, (
            f"{case.id} as {persona_name}: {response.status_code}, expected {expected}"
        )
    text = _text_of(response)
    markers = STEERING_MARKERS if persona_name in MORE_PERSONAS else MARKERS
    for marker, allowed in markers.items():
        if persona_name not in allowed:
            assert marker not in text, f"{case.id} shows {marker} to {persona_name}"
    if case.shows and expected == 200:
        assert case.shows in text, f"{case.id} does not show {case.shows!r} to {persona_name}"


def test_it_finds_a_marker_where_it_may_be_shown(org, persona):
    """The markers are real: a view that may show them does, so their absence means something."""
    _plant(org)
    from assessments.models import Round

    client = persona("quality_developer_elsewhere")
    round_ = Round.objects.get(name="MARKER-B1-ROUND")
    response = client.get(reverse("compare", args=[round_.pk, org.b1.pk]))
    assert "MARKER-B1-ACTION" in _text_of(response)
    client = persona("quality_developer")
    response = client.get(reverse("compare_index"))
    assert "MARKER-A2-ROUND" in _text_of(response)


def test_it_covers_at_least_one_view():
    assert CASES
