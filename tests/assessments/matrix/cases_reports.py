"""The balance report (page, PDF) and the manager's preview (page, PDF) × every persona.

A completed report: its unit's manager, a quality developer of an ancestor and
administrators; everyone else 404. The preview, while in dialogue: the manager (and
administrators) only — quality developers see nothing before completion. A manager who asks
for the final report during the dialogue is sent to the preview (302), and a preview of a
completed assessment sends on to the final report.
"""

from django.urls import reverse

from tests.assessments.matrix import LOGIN, Case

REPORT = {
    "administrator": 200,
    "quality_developer": 200,
    "quality_developer_elsewhere": 404,
    "manager_of_a": 200,
    "manager_of_b": 404,
    "outsider": 404,
    "anonymous": LOGIN,
}
PREVIEW = {**REPORT, "quality_developer": 404}
# During the dialogue the final report sends its manager to the preview; others see nothing.
REPORT_IN_DIALOGUE = {**PREVIEW, "administrator": 302, "manager_of_a": 302}
# Once completed, the preview sends its manager on to the final report.
PREVIEW_WHEN_COMPLETED = {**PREVIEW, "administrator": 302, "manager_of_a": 302}
# Before the dialogue there is nothing to report, for anyone.
NO_REPORT_YET = {**PREVIEW, "administrator": 404, "manager_of_a": 404}


def _assessment(org, state: str):
    """A small assessment of Enhet A1 (two principles, five answers: fast to render)."""
    from assessments.models import AssessmentState
    from tests.factories import make_assessment, make_round, make_version
    from tests.factories_reports import add_answers, agree, complete

    version = make_version(published=True)
    assessment = make_assessment(make_round(org.root, version), org.a1)
    add_answers(assessment, 5)
    agree(assessment, scores={"p1": 4, "p2": 2}, notes={"p1": ("Bra", "Svårt")})
    if state == AssessmentState.COMPLETED:
        complete(assessment)
    else:
        assessment.state = state
        assessment.save(update_fields=["state"])
    return assessment


def _completed(org):
    return _assessment(org, "completed")


def _dialogue(org):
    return _assessment(org, "dialogue")


def _individual(org):
    return _assessment(org, "individual")


def _url(name: str):
    return lambda org, assessment: reverse(name, args=[assessment.pk])


CASES = [
    Case("report-page", _url("unit_report"), REPORT, setup=_completed),
    Case("report-pdf", _url("unit_report_pdf"), REPORT, setup=_completed),
    Case("report-preview-page", _url("unit_report_preview"), PREVIEW, setup=_dialogue),
    Case("report-preview-pdf", _url("unit_report_preview_pdf"), PREVIEW, setup=_dialogue),
    Case("report-page-in-dialogue", _url("unit_report"), REPORT_IN_DIALOGUE, setup=_dialogue),
    Case("report-pdf-in-dialogue", _url("unit_report_pdf"), REPORT_IN_DIALOGUE, setup=_dialogue),
    Case(
        "report-preview-when-completed",
        _url("unit_report_preview"),
        PREVIEW_WHEN_COMPLETED,
        setup=_completed,
    ),
    Case(
        "report-preview-pdf-when-completed",
        _url("unit_report_preview_pdf"),
        PREVIEW_WHEN_COMPLETED,
        setup=_completed,
    ),
    Case("report-page-individual", _url("unit_report"), NO_REPORT_YET, setup=_individual),
    Case(
        "report-preview-individual", _url("unit_report_preview"), NO_REPORT_YET, setup=_individual
    ),
]
