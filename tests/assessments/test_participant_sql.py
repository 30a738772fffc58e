"""The participant's pages read and write through SQL written once (`assessments.participant_sql`):
what they load and store must be what the ORM would have loaded and stored, on PostgreSQL and
SQLite alike."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import answers, joincodes
from assessments.models import (
    AssessmentState,
    BalanceAnswer,
    DimensionAnswer,
    PrincipleComment,
    Respondent,
    StatementAnswer,
)
from tests.factories import make_assessment, make_round, make_unit, make_version

pytestmark = pytest.mark.django_db


def _open_assessment(code: str = "U1"):
    version = make_version(published=True, principles=2, statements=3, dimensions=2)
    unit = make_unit(code, f"Enhet {code}")
    return make_assessment(
        make_round(unit, version),
        unit,
        join_code=joincodes.generate(),
        state=AssessmentState.INDIVIDUAL,
    )


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_it_loads_the_respondent_and_what_its_pages_need_as_the_orm_does():
    assessment = _open_assessment()
    respondent, token = answers.create_respondent(assessment, device="d" * 32, source="s" * 32)
    Respondent.objects.filter(pk=respondent.pk).update(finished_at=timezone.now())
    expected = Respondent.objects.select_related(
        "assessment__unit", "assessment__round__framework_version"
    ).get(pk=respondent.pk)

    with CaptureQueriesContext(connection) as lookup:
        found = answers.respondent_for_code(assessment.join_code, token)
    assert len(lookup) == 1

    # Everything a page shows comes with it: no further query.
    with CaptureQueriesContext(connection) as after:
        loaded = [
            found,
            found.assessment,
            found.assessment.unit,
            found.assessment.round,
            found.assessment.round.framework_version,
        ]
    assert len(after) == 0
    wanted = [
        expected,
        expected.assessment,
        expected.assessment.unit,
        expected.assessment.round,
        expected.assessment.round.framework_version,
    ]
    for got, want in zip(loaded, wanted, strict=True):
        assert type(got) is type(want)
        assert _fields(got) == _fields(want)
        # Typed as the ORM types them (SQLite hands back text and 0/1).
        assert {k: type(v) for k, v in _fields(got).items()} == {
            k: type(v) for k, v in _fields(want).items()
        }
        assert not got._state.adding
    assert isinstance(found.finished_at, datetime.datetime) and timezone.is_aware(found.finished_at)


def test_it_finds_a_respondent_only_with_its_own_code_and_token():
    first, other = _open_assessment("U1"), _open_assessment("U2")
    respondent, token = answers.create_respondent(first)
    _someone, other_token = answers.create_respondent(other)

    assert answers.respondent_for_code(first.join_code, token).pk == respondent.pk
    assert answers.respondent_for_code(other.join_code, token) is None
    assert answers.respondent_for_code(first.join_code, other_token) is None
    assert answers.respondent_for_code(first.join_code, token + "x") is None
    assert answers.respondent_for_code(first.join_code, "") is None


def test_it_stores_and_reads_back_every_kind_of_answer():
    assessment = _open_assessment()
    respondent, token = answers.create_respondent(assessment)
    respondent = answers.respondent_for_code(assessment.join_code, token)
    the_framework = answers.framework_of(respondent)
    principle = the_framework.principles[0]
    first, second, third = the_framework.statements_of(principle)
    text = 'Vi säger "ja" – och menar 100 %; ingen \\ ändrar det.'

    answers.save_principle_page(
        respondent,
        principle,
        {
            "statements": {first.pk: "2", second.pk: answers.DONT_KNOW, third.pk: ""},
            "comment": text,
        },
    )
    d1, d2 = the_framework.dimensions
    answers.save_dimensions(respondent, {d1.pk: {"now": "2", "desired": "6"}, d2.pk: {"now": 3}})
    answers.save_balance(
        respondent,
        {
            "now": {"market": "30", "hierarchy": "50", "trust": "20"},
            "desired": {"market": 0, "hierarchy": 0, "trust": 100},
        },
    )

    assert sorted(
        StatementAnswer.objects.filter(respondent=respondent).values_list(
            "statement_id", "value", "dont_know"
        )
    ) == [(first.pk, 2, False), (second.pk, None, True)]
    assert PrincipleComment.objects.get(respondent=respondent).text == text
    assert answers.principle_answers(respondent, principle) == (
        {first.pk: "2", second.pk: answers.DONT_KNOW},
        text,
    )
    assert sorted(
        DimensionAnswer.objects.filter(respondent=respondent).values_list(
            "dimension_id", "now", "desired"
        )
    ) == [(d1.pk, 2, 6), (d2.pk, 3, None)]
    assert sorted(
        BalanceAnswer.objects.filter(respondent=respondent).values_list(
            "kind", "market", "hierarchy", "trust"
        )
    ) == [("desired", 0, 0, 100), ("now", 30, 50, 20)]

    # Changed answers replace the stored ones (one row each); the comment emptied goes.
    answers.save_principle_page(
        respondent, principle, {"statements": {second.pk: "5"}, "comment": ""}
    )
    assert sorted(
        StatementAnswer.objects.filter(respondent=respondent).values_list(
            "statement_id", "value", "dont_know"
        )
    ) == [(first.pk, 2, False), (second.pk, 5, False)]
    assert not PrincipleComment.objects.filter(respondent=respondent).exists()


def test_it_marks_the_respondent_changed_with_the_time_of_the_save():
    assessment = _open_assessment()
    respondent, token = answers.create_respondent(assessment)
    respondent = answers.respondent_for_code(assessment.join_code, token)
    principle = answers.framework_of(respondent).principles[0]
    statement = answers.framework_of(respondent).statements_of(principle)[0]
    before = timezone.now()

    answers.save_principle_page(respondent, principle, {"statements": {statement.pk: "4"}})

    stored = Respondent.objects.get(pk=respondent.pk).updated_at
    assert stored == respondent.updated_at and stored >= before
    # A second save reads the time as stored and claims on it: it goes through.
    answers.save_principle_page(respondent, principle, {"statements": {statement.pk: "3"}})
    assert StatementAnswer.objects.get(respondent=respondent).value == 3
    assert Respondent.objects.get(pk=respondent.pk).updated_at > stored
