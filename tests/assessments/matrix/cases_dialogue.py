"""The manager's pages (assessment, code, steps, dialogue, agreements, actions, completion)
× every persona.

Only the unit's manager (and administrators) may run an assessment. Everyone else gets 404,
quality developers included: they see completed results on their own pages, never the
running dialogue.
"""

from types import SimpleNamespace

from django.urls import reverse

from tests.assessments.matrix import LOGIN, Case

MANAGER = {
    "administrator": 200,
    "quality_developer": 404,
    "quality_developer_elsewhere": 404,
    "manager_of_a": 200,
    "manager_of_b": 404,
    "outsider": 404,
    "anonymous": LOGIN,
}
# A successful POST redirects back to a page.
MANAGER_POST = {**MANAGER, "administrator": 302, "manager_of_a": 302}


def _setup(org, state: str):
    from assessments.models import Action
    from principles.models import Dimension, Principle
    from tests.factories_dialogue import make_unit_assessment

    assessment = make_unit_assessment(org, state=state)
    version = assessment.round.framework_version
    return SimpleNamespace(
        assessment=assessment,
        principle=Principle.objects.filter(version=version).first(),
        dimension=Dimension.objects.filter(version=version).first(),
        action=Action.objects.create(assessment=assessment, title="Fika", responsible="Maja"),
    )


def _preparing(org):
    return _setup(org, "preparing")


def _individual(org):
    return _setup(org, "individual")


def _dialogue(org):
    return _setup(org, "dialogue")


def _url(name: str, *extra: str):
    """A URL builder: the assessment's pk, then attributes of the setup's data."""

    def build(org, data) -> str:
        args = [data.assessment.pk, *(getattr(data, attr).pk for attr in extra)]
        return reverse(name, args=args)

    return build


def _step(step: str):
    return lambda org, data: reverse("manager_step", args=[data.assessment.pk, step])


def _principle_data(org, data) -> dict:
    prefix = f"principle-{data.principle.pk}"
    return {f"{prefix}-lock_version": "0", f"{prefix}-score": "3"}


def _action_data(org, data) -> dict:
    return {"title": "Ny åtgärd", "responsible": "Maja", "status": "planned"}


CASES = [
    Case("manager-assessment", _url("manager_assessment"), MANAGER, setup=_preparing),
    Case("manager-show-code", _url("manager_show_code"), MANAGER, setup=_individual),
    Case(
        "manager-step-open",
        _step("oppna-individuellt"),
        MANAGER_POST,
        setup=_preparing,
        method="post",
    ),
    Case(
        "manager-step-close",
        _step("stang-individuellt"),
        MANAGER_POST,
        setup=_individual,
        method="post",
    ),
    Case("manager-step-reopen", _step("oppna-igen"), MANAGER_POST, setup=_dialogue, method="post"),
    Case(
        "manager-step-reveal", _step("visa-resultat"), MANAGER_POST, setup=_dialogue, method="post"
    ),
    Case("manager-dialogue", _url("manager_dialogue"), MANAGER, setup=_dialogue),
    Case("manager-dialogue-status", _url("manager_dialogue_status"), MANAGER, setup=_individual),
    Case(
        "manager-agree-principle",
        _url("manager_agree_principle", "principle"),
        MANAGER,
        setup=_dialogue,
    ),
    Case(
        "manager-agree-principle-post",
        _url("manager_agree_principle", "principle"),
        MANAGER_POST,
        setup=_dialogue,
        method="post",
        data=_principle_data,
    ),
    Case(
        "manager-agree-dimension",
        _url("manager_agree_dimension", "dimension"),
        MANAGER,
        setup=_dialogue,
    ),
    Case(
        "manager-agree-balance",
        lambda org, data: reverse("manager_agree_balance", args=[data.assessment.pk, "now"]),
        MANAGER,
        setup=_dialogue,
    ),
    Case("manager-action-create", _url("manager_action_create"), MANAGER, setup=_dialogue),
    Case(
        "manager-action-create-post",
        _url("manager_action_create"),
        MANAGER_POST,
        setup=_dialogue,
        method="post",
        data=_action_data,
    ),
    Case("manager-action-edit", _url("manager_action_edit", "action"), MANAGER, setup=_dialogue),
    Case(
        "manager-action-delete", _url("manager_action_delete", "action"), MANAGER, setup=_dialogue
    ),
    Case(
        "manager-action-delete-post",
        _url("manager_action_delete", "action"),
        MANAGER_POST,
        setup=_dialogue,
        method="post",
    ),
    Case(
        "manager-action-status-post",
        _url("manager_action_status", "action"),
        MANAGER_POST,
        setup=_dialogue,
        method="post",
        data=lambda org, data: {"status": "done", "lock_version": "0"},
    ),
    Case("manager-complete", _url("manager_complete"), MANAGER, setup=_dialogue),
    Case(
        "manager-complete-post",
        _url("manager_complete"),
        MANAGER_POST,
        setup=_dialogue,
        method="post",
        data=lambda org, data: {"confirm": "on"},
    ),
]
