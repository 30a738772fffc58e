"""Completion: what will be locked, a preview of what quality developers will see, and a
confirmed step that locks everything."""

import re
from html.parser import HTMLParser

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from assessments import agreements, answers, workflow
from assessments.models import (
    Action,
    AssessmentState,
    BalanceAgreement,
    DimensionAgreement,
    PrincipleAgreement,
    Release,
    StateChange,
    StatementAnswer,
    UnitAssessment,
)
from principles.models import Dimension, Principle
from tests.factories import release
from tests.factories_dialogue import add_respondents, make_unit_assessment

pytestmark = pytest.mark.django_db

S = AssessmentState


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIN_RESPONDENTS = 5
    with translation.override("en"):  # assertions read the English msgids
        yield


@pytest.fixture
def manager(persona):
    client = persona("manager_of_a")
    client.cookies["django_language"] = "en"
    return client


def _agreed(assessment, user):
    principle = Principle.objects.get(version=assessment.round.framework_version, key="p1")
    dimension = Dimension.objects.get(version=assessment.round.framework_version, key="d1")
    agreements.save_principle_agreement(
        assessment,
        principle,
        user,
        lock_version=0,
        score=4,
        strengths="Vi hjälper varandra",
        obstacles="För många möten",
    )
    agreements.save_dimension_agreement(
        assessment, dimension, user, lock_version=0, now=3, desired=6
    )
    agreements.save_balance_agreement(
        assessment, "now", user, lock_version=0, market=15, hierarchy=60, trust=25
    )
    agreements.create_action(assessment, user, title="Färre möten", responsible="Maja")
    return principle, dimension


def _preview(client, assessment, **params) -> str:
    response = client.get(reverse("manager_complete", args=[assessment.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def _complete(client, assessment, follow=False, **data):
    """The completion form as the page sends it: confirmed, with the share-notes choice."""
    return client.post(
        reverse("manager_complete", args=[assessment.pk]), {"confirm": "on", **data}, follow=follow
    )


class _Marked(HTMLParser):
    """Every element carrying the attribute `mark`: its attributes and its text."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, mark: str):
        super().__init__()
        self.mark = mark
        self.found: list[dict] = []
        self.open: list[tuple[str, dict | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        element = None
        if self.mark in attributes:
            element = {"tag": tag, "attrs": attributes, "text": ""}
            self.found.append(element)
        if tag not in self.VOID:
            self.open.append((tag, element))

    def handle_endtag(self, tag):
        while self.open:
            opened, _element = self.open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _tag, element in self.open:
            if element is not None:
                element["text"] += data


def _marked(html: str, mark: str) -> list[dict]:
    parser = _Marked(mark)
    parser.feed(html)
    return parser.found


def _shown_text(html: str, mark: str) -> list[str]:
    """The text of the elements marked `mark` that are not hidden, whitespace collapsed."""
    return [" ".join(e["text"].split()) for e in _marked(html, mark) if "hidden" not in e["attrs"]]


def _notes_block(html: str) -> dict:
    (block,) = _marked(html, "data-dialogue-notes")
    return block


def _released_note(assessment) -> str:
    """The sentence that says which release the preview shows, as the template writes it."""
    assessment.refresh_from_db()
    made = assessment.release
    when = date_filter(timezone.localtime(made.released_at), "DATETIME_FORMAT")
    return (
        f"The figures are those shown to the group on {when}, "
        f"from {made.respondents} people's answers."
    )


def _index_cells(html) -> list[str]:
    return re.findall(r'<td class="num" data-figure="index"[^>]*>(.*?)</td>', html)


def _cell(value: str, html: str) -> bool:
    """A figure's cell in the preview (its data-label names the column on a phone)."""
    return re.search(rf'<td class="num"[^>]*>{re.escape(value)}</td>', html) is not None


def _too_little(i, position):
    """Two of the six statements with a value, the rest "don't know": does not count."""
    return 4 if position < 2 else None


def test_it_previews_agreements_actions_and_figures_without_the_notes(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5, comment=lambda i, p: "Personlig kommentar")
    release(assessment)
    _agreed(assessment, org.manager_of_a)

    html = _preview(manager, assessment)
    preview = html[html.index('class="preview"') :]
    assert _released_note(assessment) in preview
    assert "data-unreleased" not in preview
    assert 'data-figure="index"' in preview and 'data-figure="balance"' in preview
    assert _cell("4", preview)  # the agreed score
    assert _cell("15", preview)  # the agreed balance
    assert "Färre möten" in preview
    # The notes are in the page for the tick box to show, but hidden: not in the preview.
    notes = _notes_block(html)
    assert "hidden" in notes["attrs"]
    assert "Vi hjälper varandra" in notes["text"] and "För många möten" in notes["text"]
    assert html.count("Vi hjälper varandra") == 1
    assert _shown_text(html, "data-notes-not-shared") == [
        "without your dialogue notes",
        "Your dialogue notes will not be shared.",
    ]
    assert _shown_text(html, "data-notes-shared") == []
    assert "Personlig kommentar" not in html  # participants' comments are never passed on
    (field,) = _marked(html, "data-share-notes-field")
    assert (field["attrs"]["name"], field["attrs"]["value"]) == ("share_notes", "")


def test_it_previews_the_notes_when_the_group_shares_them(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    _agreed(assessment, org.manager_of_a)
    html = _preview(manager, assessment, preview="1", share_notes="on")
    notes = _notes_block(html)
    assert "hidden" not in notes["attrs"]
    assert "Vi hjälper varandra" in notes["text"] and "För många möten" in notes["text"]
    assert _shown_text(html, "data-notes-shared") == [
        "with your dialogue notes",
        "Your dialogue notes will be shared with the quality developers.",
    ]
    assert _shown_text(html, "data-notes-not-shared") == []
    (field,) = _marked(html, "data-share-notes-field")
    assert field["attrs"]["value"] == "on"
    assert re.search(r'<input type="checkbox" name="share_notes"[^>]*checked', html)


def test_it_previews_the_released_figures_not_the_answers_since(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5, statement_value=lambda i, position: 1)
    release(assessment)
    # The individual phase opened again and six more answered 5 everywhere; the results
    # were not shown again, so the figures stay those the group saw.
    workflow.reopen_individual(assessment, org.manager_of_a)
    add_respondents(assessment, 6, statement_value=lambda i, position: 5)
    workflow.close_individual(assessment, org.manager_of_a)

    html = _preview(manager, assessment)
    preview = html[html.index('class="preview"') :]
    assert _released_note(assessment) in preview
    assert "from 5 people's answers." in preview
    assert _index_cells(preview) == ["1.0", "1.0"]

    # Completing keeps the release the group was shown: it adds none of its own.
    _complete(manager, assessment)
    assessment.refresh_from_db()
    assert assessment.state == S.COMPLETED
    assert Release.objects.filter(assessment=assessment).count() == 1
    html = _preview(manager, assessment)
    assert "from 5 people's answers." in html
    assert _index_cells(html) == ["1.0", "1.0"]


def test_it_says_the_figures_have_not_been_shown_yet(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5, comment=lambda i, p: "Personlig kommentar")
    add_respondents(assessment, 1, statement_value=_too_little)  # joined, does not count
    _agreed(assessment, org.manager_of_a)

    html = _preview(manager, assessment)
    preview = html[html.index('class="preview"') :]
    assert "data-unreleased" in preview
    assert "The group's figures have not been shown yet, so none are previewed here." in preview
    assert "from the answers of the 5 people who count." in preview
    assert "data-figure" not in html
    assert "Median" not in html
    assert "The figures are those shown to the group" not in html
    assert _cell("4", preview)  # what the group agreed is still there

    # Completing releases them into the report, from those who count.
    _complete(manager, assessment)
    assessment.refresh_from_db()
    assert assessment.state == S.COMPLETED
    assert assessment.release is not None and assessment.release.respondents == 5
    assert assessment.counted_respondents == 5  # of the six who joined
    html = _preview(manager, assessment)
    assert "data-unreleased" not in html
    assert _released_note(assessment) in html
    assert 'data-figure="index"' in html and 'data-figure="balance"' in html
    assert "Personlig kommentar" not in html


@pytest.mark.parametrize("too_little", [0, 1], ids=["four", "four-and-one-too-little"])
def test_it_previews_no_figures_below_five_answers(org, manager, too_little):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 4)
    # Someone who answered too little joined, but does not count toward the five.
    add_respondents(assessment, too_little, statement_value=_too_little)
    assert release(assessment).status == "too_few"
    _agreed(assessment, org.manager_of_a)
    html = _preview(manager, assessment)
    assert (
        "Fewer than 5 answered enough to count, so no figures from the individual answers "
        "are shown; only what the group agreed."
    ) in html
    assert "data-unreleased" not in html
    assert "data-figure" not in html
    assert "Median" not in html
    assert _cell("4", html)  # what the group agreed is still there

    # Completing cannot release them either: the report has no figures.
    _complete(manager, assessment)
    assessment.refresh_from_db()
    assert assessment.state == S.COMPLETED and assessment.release_id is None
    assert assessment.counted_respondents == 4
    html = _preview(manager, assessment)
    assert "Fewer than 5 answered enough to count" in html
    assert "data-figure" not in html


@pytest.mark.parametrize("share", [True, False])
def test_it_completes_on_confirmation_with_the_groups_choice(org, manager, share):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    data = {"share_notes": "on"} if share else {"share_notes": ""}
    response = _complete(manager, assessment, follow=True, **data)
    assert "The self-assessment is completed and locked." in response.content.decode()
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert stored.state == S.COMPLETED
    assert stored.share_notes is share
    assert stored.completed_by == org.manager_of_a and stored.completed_at is not None


@pytest.mark.parametrize("state", [S.PREPARING, S.INDIVIDUAL])
@pytest.mark.parametrize("confirm", ["on", ""])
def test_it_completes_from_the_dialogue_only(org, manager, state, confirm):
    assessment = make_unit_assessment(org, state=state)
    before = UnitAssessment.objects.filter(pk=assessment.pk).values().get()
    response = manager.post(
        reverse("manager_complete", args=[assessment.pk]),
        {"share_notes": "on", "confirm": confirm},
        follow=True,
    )
    assert response.redirect_chain[0][1] == 302
    html = response.content.decode()
    assert "Completing the assessment is not possible while the assessment is in the state" in html
    assert UnitAssessment.objects.filter(pk=assessment.pk).values().get() == before
    assert not StateChange.objects.filter(assessment=assessment).exists()
    assert "Complete and lock the self-assessment" not in html


def test_it_shows_the_stored_choice_after_completion(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    _agreed(assessment, org.manager_of_a)
    workflow.complete(assessment, org.manager_of_a, share_notes=True)
    html = _preview(manager, assessment, share_notes="")  # the query cannot change it now
    assert "What quality developers see" in html
    assert "Vi hjälper varandra" in html
    assert "Complete and lock the self-assessment" not in html


def test_it_keeps_the_notes_out_of_a_completed_assessment_that_did_not_share_them(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    _agreed(assessment, org.manager_of_a)
    workflow.complete(assessment, org.manager_of_a, share_notes=False)
    html = _preview(manager, assessment, preview="1", share_notes="on")
    assert "Vi hjälper varandra" not in html and "För många möten" not in html
    assert _marked(html, "data-dialogue-notes") == []
    assert _shown_text(html, "data-notes-not-shared") == ["without your dialogue notes"]


# --- the share-notes choice, applied live ---------------------------------------------------


@pytest.mark.parametrize("written", [True, False], ids=["notes", "no-notes"])
@pytest.mark.parametrize("share", [True, False], ids=["shared", "not-shared"])
def test_it_puts_the_notes_block_in_the_page_for_the_script(org, manager, written, share):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    if written:
        _agreed(assessment, org.manager_of_a)
    params = {"preview": "1", "share_notes": "on"} if share else {"preview": "1"}
    html = _preview(manager, assessment, **params)

    notes = _notes_block(html)
    assert notes["attrs"]["id"] == "dialogue-notes"
    assert ("hidden" in notes["attrs"]) is not share
    if written:
        assert "Vi hjälper varandra" in notes["text"]
    else:
        assert "No notes on strengths or obstacles were written in the dialogue." in notes["text"]
    # What the completion form sends follows the choice; the script keeps it in step.
    (field,) = _marked(html, "data-share-notes-field")
    assert field["attrs"]["value"] == ("on" if share else "")
    # The script is a file of its own (a strict CSP allows no inline script) and the
    # no-script way stays: the tick box and "Update the preview" in a GET form.
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert "/static/js/complete.js" in html
    (form,) = _marked(html, "data-share-form")
    assert form["tag"] == "form" and form["attrs"]["method"] == "get"
    assert "Update the preview" in form["text"]
    (status,) = _marked(html, "data-share-status")
    assert status["attrs"]["role"] == "status"
    assert status["attrs"]["data-text-on"] == "The preview below now includes your dialogue notes."


def test_it_offers_the_stored_choice_again_after_a_reopening(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    _agreed(assessment, org.manager_of_a)
    workflow.complete(assessment, org.manager_of_a, share_notes=True)
    workflow.reopen_completed(assessment, org.administrator, reason="Fel poäng på princip 1")

    html = _preview(manager, assessment)
    assert "hidden" not in _notes_block(html)["attrs"]
    assert re.search(r'<input type="checkbox" name="share_notes"[^>]*checked', html)
    # Unticking and updating the preview (no script) is heard: the hidden field says so.
    html = _preview(manager, assessment, preview="1")
    assert "hidden" in _notes_block(html)["attrs"]


# --- what will be locked --------------------------------------------------------------------


def test_it_lists_what_will_be_locked_and_names_what_is_not_agreed(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 3)
    _agreed(assessment, org.manager_of_a)  # p1, d1 and the balance now; one action
    version = assessment.round.framework_version
    open_principles = [p.name for p in Principle.objects.filter(version=version) if p.key != "p1"]
    open_dimensions = [d.name for d in Dimension.objects.filter(version=version) if d.key != "d1"]
    assert open_principles and open_dimensions

    html = _preview(manager, assessment)
    locked = {
        e["attrs"]["data-locked"]: " ".join(e["text"].split()) for e in _marked(html, "data-locked")
    }
    principles = Principle.objects.filter(version=version).count()
    dimensions = Dimension.objects.filter(version=version).count()
    assert locked["principles"] == (
        f"Guiding principles with an agreed score: 1 of {principles}. "
        f"Not agreed yet: {', '.join(open_principles)}."
    )
    assert locked["dimensions"] == (
        f"Dimensions with an agreed now and desired: 1 of {dimensions}. "
        f"Not agreed yet: {', '.join(open_dimensions)}."
    )
    assert locked["balances"] == "Steering balances agreed: 1 of 2. Not agreed yet: Desired."
    assert locked["actions"] == "1 action: it can no longer be changed or removed."
    assert locked["answers"] == (
        "The answers of the 3 people who joined: no one can join or change an answer."
    )
    assert "Afterwards only the status of the actions can change" in html


def test_it_says_when_everything_is_agreed(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    version = assessment.round.framework_version
    for principle in Principle.objects.filter(version=version):
        agreements.save_principle_agreement(
            assessment, principle, org.manager_of_a, lock_version=0, score=3
        )
    for dimension in Dimension.objects.filter(version=version):
        agreements.save_dimension_agreement(
            assessment, dimension, org.manager_of_a, lock_version=0, now=2, desired=5
        )
    for kind in ("now", "desired"):
        agreements.save_balance_agreement(
            assessment, kind, org.manager_of_a, lock_version=0, market=30, hierarchy=30, trust=40
        )
    html = _preview(manager, assessment)
    assert _marked(html, "data-not-agreed") == []
    locked = {
        e["attrs"]["data-locked"]: " ".join(e["text"].split()) for e in _marked(html, "data-locked")
    }
    assert locked["actions"] == "No actions: none can be added afterwards."
    assert locked["balances"] == "Steering balances agreed: 2 of 2."


def test_it_lists_nothing_to_lock_once_completed(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    workflow.complete(assessment, org.manager_of_a)
    html = _preview(manager, assessment)
    assert _marked(html, "data-locked") == []
    assert 'name="confirm"' not in html


# --- the confirmation -----------------------------------------------------------------------


@pytest.mark.parametrize("confirm", [None, "", "false"], ids=["missing", "empty", "false"])
@pytest.mark.parametrize("share", [True, False])
def test_it_refuses_to_complete_without_the_confirmation(org, manager, confirm, share):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5)  # enough for completion to release figures: it must not
    _agreed(assessment, org.manager_of_a)
    before = UnitAssessment.objects.filter(pk=assessment.pk).values().get()
    data = {"share_notes": "on" if share else ""}
    if confirm is not None:
        data["confirm"] = confirm

    response = manager.post(reverse("manager_complete", args=[assessment.pk]), data)

    assert response.status_code == 400
    assert UnitAssessment.objects.filter(pk=assessment.pk).values().get() == before
    assert not StateChange.objects.filter(assessment=assessment).exists()
    assert not Release.objects.filter(assessment=assessment).exists()
    html = response.content.decode()
    # The error stands beside the box, which points at it, and in a summary at the top.
    error = "Tick the box to confirm that the answers and agreements will be locked."
    (beside,) = _marked(html, "data-confirm-error")
    assert beside["text"] == error and beside["attrs"]["id"] == "confirm-error"
    box = re.search(r'<input type="checkbox" name="confirm"[^>]*>', html).group(0)
    assert 'aria-describedby="confirm-error"' in box and 'aria-invalid="true"' in box
    assert "checked" not in box
    assert html.index(box) < html.index('id="confirm-error"') < html.index("Complete and lock the")
    assert "The self-assessment was not completed." in html
    # The group's choice on its notes is kept.
    (field,) = _marked(html, "data-share-notes-field")
    assert field["attrs"]["value"] == ("on" if share else "")
    assert ("hidden" in _notes_block(html)["attrs"]) is not share

    # Confirmed, it completes with that choice.
    _complete(manager, assessment, share_notes=field["attrs"]["value"])
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    assert stored.state == S.COMPLETED and stored.share_notes is share


def test_it_labels_the_confirmation_box_and_marks_it_required(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    html = _preview(manager, assessment)
    box = re.search(r'<input type="checkbox" name="confirm"[^>]*>', html).group(0)
    assert 'id="id_confirm"' in box and " required" in box and "aria-invalid" not in box
    assert (
        '<label class="form-check-label" for="id_confirm">'
        "I understand that the answers and agreements are locked</label>"
    ) in html
    # The server explains a missing tick, in the page's language: no browser bubble first.
    assert re.search(r'<form method="post"[^>]*novalidate', html)


def test_it_completes_once_when_the_form_is_sent_twice(org, manager):
    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    add_respondents(assessment, 5)
    _agreed(assessment, org.manager_of_a)

    first = _complete(manager, assessment, share_notes="on")
    assert first.status_code == 302
    stored = UnitAssessment.objects.get(pk=assessment.pk)
    changes = list(StateChange.objects.filter(assessment=assessment).values_list("pk", flat=True))

    second = _complete(manager, assessment, follow=True, share_notes="")

    assert second.redirect_chain == [(reverse("manager_assessment", args=[assessment.pk]), 302)]
    when = date_filter(timezone.localtime(stored.completed_at), "DATETIME_FORMAT")
    assert (
        f"The self-assessment was already completed on {when} by Maja; nothing was changed."
    ) in second.content.decode()
    again = UnitAssessment.objects.get(pk=assessment.pk)
    assert (again.state, again.completed_at, again.share_notes) == (
        S.COMPLETED,
        stored.completed_at,
        True,
    )
    assert (
        list(StateChange.objects.filter(assessment=assessment).values_list("pk", flat=True))
        == changes
    )
    completions = StateChange.objects.filter(assessment=assessment, to_state=S.COMPLETED)
    assert completions.count() == 1
    assert Release.objects.filter(assessment=assessment).count() == 1


def test_it_says_so_when_another_request_completed_first(org, manager, monkeypatch):
    """Two tabs: both pages were loaded in the dialogue; the second POST loses the race."""
    from assessments.views.manager import completion

    assessment = make_unit_assessment(org, state=S.DIALOGUE)
    real_complete = workflow.complete

    def complete_in_between(locked, user, **kwargs):
        real_complete(UnitAssessment.objects.get(pk=locked.pk), org.manager_of_a)
        return real_complete(locked, user, **kwargs)

    monkeypatch.setattr(completion.workflow, "complete", complete_in_between)
    response = _complete(manager, assessment, follow=True)
    assert "The self-assessment was already completed on" in response.content.decode()
    assert StateChange.objects.filter(assessment=assessment, to_state=S.COMPLETED).count() == 1


# --- locked after completion ----------------------------------------------------------------


@pytest.fixture
def completed(org):
    assessment = make_unit_assessment(org, state=S.INDIVIDUAL)
    respondent, _token = answers.create_respondent(assessment)
    workflow.close_individual(assessment, org.manager_of_a)
    principle, dimension = _agreed(assessment, org.manager_of_a)
    workflow.complete(assessment, org.manager_of_a)
    assessment.refresh_from_db()
    return assessment, respondent, principle, dimension


def _everything():
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (
            PrincipleAgreement,
            DimensionAgreement,
            BalanceAgreement,
            Action,
            StatementAnswer,
        )
    ]


def test_it_locks_the_agreements(org, completed):
    assessment, _respondent, principle, dimension = completed
    before = _everything()
    for call in (
        lambda: agreements.save_principle_agreement(
            assessment, principle, org.manager_of_a, lock_version=1, score=1
        ),
        lambda: agreements.save_dimension_agreement(
            assessment, dimension, org.administrator, lock_version=1, now=1, desired=1
        ),
        lambda: agreements.save_balance_agreement(
            assessment, "now", org.manager_of_a, lock_version=1, market=100, hierarchy=0, trust=0
        ),
        lambda: agreements.save_balance_agreement(
            assessment,
            "desired",
            org.manager_of_a,
            lock_version=0,
            market=0,
            hierarchy=0,
            trust=100,
        ),
    ):
        with pytest.raises(workflow.WorkflowError) as refused:
            call()
        assert refused.value.code == "completed"
    assert _everything() == before


def test_it_locks_the_answers(completed):
    assessment, respondent, principle, _dimension = completed
    statement = principle.statements.first()
    before = _everything()
    with pytest.raises(answers.PhaseClosedError):
        answers.save_principle_page(
            respondent, principle, {"statements": {statement.pk: "5"}, "comment": "Sent"}
        )
    with pytest.raises(answers.PhaseClosedError):
        answers.create_respondent(assessment)
    assert _everything() == before


def test_it_locks_the_actions_but_not_their_status(org, completed):
    assessment, *_ = completed
    action = Action.objects.get(assessment=assessment)
    with pytest.raises(workflow.WorkflowError):
        agreements.update_action(
            assessment, action, org.manager_of_a, lock_version=0, title="Ändrad"
        )
    with pytest.raises(workflow.WorkflowError):
        agreements.delete_action(assessment, action, org.manager_of_a)
    updated = agreements.set_action_status(
        assessment, action, org.manager_of_a, status="done", lock_version=0
    )
    assert (updated.title, updated.status) == ("Färre möten", "done")


def test_it_cannot_be_reopened_once_completed(org, completed):
    assessment, *_ = completed
    with pytest.raises(workflow.WorkflowError):
        workflow.reopen_individual(assessment, org.administrator)
    assert UnitAssessment.objects.get(pk=assessment.pk).state == S.COMPLETED


def test_it_locks_the_forms_of_a_completed_assessment(org, manager, completed):
    assessment, _respondent, principle, _dimension = completed
    before = _everything()
    prefix = f"principle-{principle.pk}"
    response = manager.post(
        reverse("manager_agree_principle", args=[assessment.pk, principle.pk]),
        {f"{prefix}-lock_version": "1", f"{prefix}-score": "1"},
        follow=True,
    )
    assert "what the group agreed can no longer be changed" in response.content.decode()
    assert _everything() == before
