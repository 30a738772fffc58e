"""Following actions up in the next round's dialogue × every persona: only the unit's manager
(and administrators) see last round's actions to rate and may rate them; everyone else 404."""

from django.urls import reverse

from tests.assessments.matrix import Case
from tests.assessments.matrix.cases_dialogue import MANAGER, MANAGER_POST


def _two_rounds(org):
    from tests.factories_followup import make_two_rounds

    rounds = make_two_rounds(org)
    rounds.action.title = "FOLLOW-UP-ACTION"
    rounds.action.save(update_fields=["title"])
    return rounds


CASES = [
    Case(
        "manager-dialogue-follow-up",
        lambda org, data: reverse("manager_dialogue", args=[data.later.pk]),
        MANAGER,
        setup=_two_rounds,
        shows="FOLLOW-UP-ACTION",
    ),
    Case(
        "manager-action-rate-post",
        lambda org, data: reverse("manager_action_rate", args=[data.later.pk, data.action.pk]),
        MANAGER_POST,
        setup=_two_rounds,
        method="post",
        data=lambda org, data: {"outcome": "helped", "lock_version": "0"},
    ),
]
