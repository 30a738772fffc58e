"""The steering signals' pages × every persona, förvaltning management included.

The unit's pages (its signals, changing and deleting one) belong to its manager, as the rest
of the dialogue does: everyone else gets 404, the people above the unit too. The overview,
its exports and the answer form belong to the people above Enhet A1: the quality developer
and the management of Förvaltning A (and administrators); those of Förvaltning B get 404.
"""

import datetime
from types import SimpleNamespace

from django.urls import reverse

from tests.assessments.matrix import LOGIN, Case

UNIT = {
    "administrator": 200,
    "quality_developer": 404,
    "quality_developer_elsewhere": 404,
    "manager_of_a": 200,
    "manager_of_b": 404,
    "outsider": 404,
    "anonymous": LOGIN,
    "steering_owner": 404,
    "steering_owner_elsewhere": 404,
}
UNIT_POST = {**UNIT, "administrator": 302, "manager_of_a": 302}
ABOVE_A = {
    "administrator": 200,
    "quality_developer": 200,
    "quality_developer_elsewhere": 404,
    "manager_of_a": 404,
    "manager_of_b": 404,
    "outsider": 404,
    "anonymous": LOGIN,
    "steering_owner": 200,
    "steering_owner_elsewhere": 404,
}
ABOVE_A_POST = {**ABOVE_A, "administrator": 302, "quality_developer": 302, "steering_owner": 302}
LIST = {
    "administrator": 200,
    "quality_developer": 200,
    "quality_developer_elsewhere": 200,
    "manager_of_a": 403,
    "manager_of_b": 403,
    "outsider": 403,
    "anonymous": LOGIN,
    "steering_owner": 200,
    "steering_owner_elsewhere": 200,
}


def _dialogue(org):
    from assessments.models import AssessmentState
    from tests.factories_dialogue import make_unit_assessment
    from tests.factories_governance import make_signal

    assessment = make_unit_assessment(org, state=AssessmentState.DIALOGUE)
    return SimpleNamespace(assessment=assessment, signal=make_signal(assessment, "SIGNAL-OF-A1"))


def _completed(org):
    from django.utils import timezone

    from assessments.models import AssessmentState
    from tests.factories import make_assessment, make_round, make_version
    from tests.factories_governance import make_signal

    round_ = make_round(org.root, make_version(published=True), name="Signalomgången")
    assessment = make_assessment(
        round_, org.a1, state=AssessmentState.COMPLETED, completed_at=timezone.now()
    )
    return SimpleNamespace(
        round=round_, assessment=assessment, signal=make_signal(assessment, "SIGNAL-OF-A1")
    )


def _unit_url(name: str, *, signal: bool = False):
    def build(org, data) -> str:
        args = [data.assessment.pk, *([data.signal.pk] if signal else [])]
        return reverse(name, args=args)

    return build


def _overview(name: str):
    return lambda org, data: reverse(name, args=[data.round.pk, org.dep_a.pk])


def _signal_data(org, data) -> dict:
    from tests.factories_governance import signal_post

    return signal_post(data.assessment.round.framework_version, lock_version="1")


def _answer_data(org, data) -> dict:
    due = datetime.date.today() + datetime.timedelta(days=30)
    return {
        "status": "accepted",
        "text": "Ersätts av en dialog varje kvartal.",
        "due_on": due.isoformat(),
        "lock_version": "0",
    }


CASES = [
    Case(
        "governance-signals",
        _unit_url("governance_signals"),
        UNIT,
        setup=_dialogue,
        shows="SIGNAL-OF-A1",
    ),
    Case(
        "governance-signals-post",
        _unit_url("governance_signals"),
        UNIT_POST,
        setup=_dialogue,
        method="post",
        data=_signal_data,
    ),
    Case(
        "governance-signal-edit",
        _unit_url("governance_signal_edit", signal=True),
        UNIT,
        setup=_dialogue,
        shows="SIGNAL-OF-A1",
    ),
    Case(
        "governance-signal-edit-post",
        _unit_url("governance_signal_edit", signal=True),
        UNIT_POST,
        setup=_dialogue,
        method="post",
        data=_signal_data,
    ),
    Case(
        "governance-signal-delete",
        _unit_url("governance_signal_delete", signal=True),
        UNIT,
        setup=_dialogue,
        shows="SIGNAL-OF-A1",
    ),
    Case(
        "governance-signal-delete-post",
        _unit_url("governance_signal_delete", signal=True),
        UNIT_POST,
        setup=_dialogue,
        method="post",
    ),
    Case(
        "governance-index",
        lambda org, data: reverse("governance_index"),
        LIST,
        setup=_completed,
    ),
    Case(
        "governance-overview",
        _overview("governance_overview"),
        ABOVE_A,
        setup=_completed,
        shows="SIGNAL-OF-A1",
    ),
    Case(
        "governance-overview-csv",
        _overview("governance_overview_csv"),
        ABOVE_A,
        setup=_completed,
        shows="SIGNAL-OF-A1",
    ),
    Case(
        "governance-overview-xlsx",
        _overview("governance_overview_xlsx"),
        ABOVE_A,
        setup=_completed,
        shows="SIGNAL-OF-A1",
    ),
    Case(
        "governance-answer",
        lambda org, data: reverse("governance_answer", args=[data.signal.pk]),
        ABOVE_A,
        setup=_completed,
        shows="SIGNAL-OF-A1",
    ),
    Case(
        "governance-answer-post",
        lambda org, data: reverse("governance_answer", args=[data.signal.pk]),
        ABOVE_A_POST,
        setup=_completed,
        method="post",
        data=_answer_data,
    ),
]
