"""Rounds (planners) and the participant pages (no account) × every persona.

Participants have no account: being logged in, even as administrator, gives no access to a
participant's pages. Without the device's respondent cookie those pages answer 403, so no
one but the participant ever sees their answers.
"""

from types import SimpleNamespace

from django.core.cache import cache
from django.urls import reverse

from tests.assessments.matrix import LOGIN, Case

PLANNERS = {
    "administrator": 200,
    "quality_developer": 200,
    "quality_developer_elsewhere": 200,
    "manager_of_a": 403,
    "manager_of_b": 403,
    "outsider": 403,
    "anonymous": LOGIN,
}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PLANNERS, status)


def _setup(org, state: str = "individual"):
    from assessments import joincodes
    from tests.factories import make_assessment, make_round, make_version

    cache.clear()  # rate-limit counters from earlier cases
    version = make_version(published=True, principles=1, statements=2, dimensions=1)
    round_ = make_round(org.dep_a, version, name="Runda A")
    assessment = make_assessment(round_, org.a1, join_code=joincodes.generate(), state=state)
    return SimpleNamespace(version=version, round=round_, assessment=assessment)


def _preparing(org):
    return _setup(org, "preparing")


def _dialogue(org):
    return _setup(org, "dialogue")


def _code(data) -> dict:
    return {"code": data.assessment.join_code}


def _round_form(org, data) -> dict:
    return {
        "name": "Ny runda",
        "framework_version": data.version.pk,
        "opens_on": "2026-09-01",
        "closes_on": "2026-12-15",
        "root": org.dep_a.pk,
        "units": [org.a1.pk, org.a2.pk],
    }


CASES = [
    # --- rounds: quality developers and administrators only --------------------------------
    Case("round_list", lambda org, data: reverse("round_list"), PLANNERS, setup=_setup),
    Case("round_create_form", lambda org, data: reverse("round_create"), PLANNERS, setup=_setup),
    Case(
        "round_create_form_foreign_part",
        lambda org, data: reverse("round_create") + f"?root={org.dep_a.pk}",
        {**PLANNERS, "quality_developer_elsewhere": 404},
        setup=_setup,
    ),
    Case(
        "round_create_post",
        lambda org, data: reverse("round_create"),
        {
            **PLANNERS,
            "administrator": 302,
            "quality_developer": 302,
            # Department A is not theirs: the form refuses it.
            "quality_developer_elsewhere": 400,
        },
        setup=_setup,
        method="post",
        data=_round_form,
    ),
    Case(
        "round_detail",
        lambda org, data: reverse("round_detail", args=[data.round.pk]),
        {**PLANNERS, "quality_developer_elsewhere": 404},
        setup=_setup,
    ),
    # --- joining: open to everyone, with or without an account -----------------------------
    Case("join_form", lambda org, data: reverse("join"), everyone(200), setup=_setup),
    Case(
        "join_form_post",
        lambda org, data: reverse("join"),
        everyone(302),
        setup=_setup,
        method="post",
        data=lambda org, data: _code(data),
    ),
    Case(
        "join_link",
        lambda org, data: reverse("join_link", kwargs=_code(data)),
        everyone(200),
        setup=_setup,
    ),
    Case(
        "join_link_start",
        lambda org, data: reverse("join_link", kwargs=_code(data)),
        everyone(302),
        setup=_setup,
        method="post",
    ),
    Case(
        "join_link_not_open_yet",
        lambda org, data: reverse("join_link", kwargs=_code(data)),
        everyone(200),
        setup=_preparing,
    ),
    Case(
        "join_link_start_closed",
        lambda org, data: reverse("join_link", kwargs=_code(data)),
        everyone(409),
        setup=_dialogue,
        method="post",
    ),
    Case(
        "join_link_unknown_code",
        lambda org, data: reverse("join_link", kwargs={"code": "ZZZZZZZZZZ"}),
        everyone(404),
        setup=_setup,
    ),
    # --- answer pages: only the respondent's own device (none of the personas has it) -----
    Case(
        "participant_principle",
        lambda org, data: reverse("participant_principle", kwargs={**_code(data), "number": 1}),
        everyone(403),
        setup=_setup,
    ),
    Case(
        "participant_principle_post",
        lambda org, data: reverse("participant_principle", kwargs={**_code(data), "number": 1}),
        everyone(403),
        setup=_setup,
        method="post",
        data=lambda org, data: {"nav": "next"},
    ),
    Case(
        "participant_dimensions",
        lambda org, data: reverse("participant_dimensions", kwargs=_code(data)),
        everyone(403),
        setup=_setup,
    ),
    Case(
        "participant_balance",
        lambda org, data: reverse("participant_balance", kwargs=_code(data)),
        everyone(403),
        setup=_setup,
    ),
    Case(
        "participant_balance_post",
        lambda org, data: reverse("participant_balance", kwargs=_code(data)),
        everyone(403),
        setup=_setup,
        method="post",
        data=lambda org, data: {"balance_now_market": "100", "nav": "next"},
    ),
    Case(
        "participant_summary",
        lambda org, data: reverse("participant_summary", kwargs=_code(data)),
        everyone(403),
        setup=_setup,
    ),
]
