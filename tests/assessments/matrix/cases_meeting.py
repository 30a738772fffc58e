"""The meeting's newer views (the facilitator's field saves, the presenter view) × every
persona: only the unit's manager and administrators; quality developers get 404 too."""

from django.urls import reverse

from tests.assessments.matrix import Case
from tests.assessments.matrix.cases_dialogue import MANAGER, _dialogue


def _field_data(org, data) -> dict:
    return {
        "item": f"principle-{data.principle.pk}",
        "field": "strengths",
        "value": "Vi ses.",
        "base": "",
    }


CASES = [
    Case(
        "manager-save-field",
        lambda org, data: reverse("manager_save_field", args=[data.assessment.pk]),
        MANAGER,
        setup=_dialogue,
        method="post",
        data=_field_data,
    ),
    Case(
        "manager-presenter",
        lambda org, data: reverse("manager_presenter", args=[data.assessment.pk]),
        MANAGER,
        setup=_dialogue,
    ),
    Case(
        "manager-presenter-status",
        lambda org, data: reverse(
            "manager_presenter_item_status",
            args=[data.assessment.pk, f"principle-{data.principle.key}"],
        ),
        MANAGER,
        setup=_dialogue,
    ),
]
