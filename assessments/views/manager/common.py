"""Lookups and small helpers shared by the manager's views: every assessment through
``scoping.managed_assessments``, so another unit's assessment is a 404.
"""

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from principles.models import (
    Dimension,
    Principle,
    ReflectionQuestion,
    Statement,
    SteeringKey,
    SteeringPrinciple,
)

from ... import scoping
from ...models import (
    Action,
    UnitAssessment,
)

# --- lookups -------------------------------------------------------------------------------


def managed(request: HttpRequest, pk: int) -> UnitAssessment:
    queryset = scoping.managed_assessments(request.user).select_related(
        "round__framework_version", "unit", "completed_by", "release"
    )
    return scoping.get_or_404(queryset, pk=pk)


def action_of(assessment: UnitAssessment, action_pk: int) -> Action:
    return get_object_or_404(assessment.actions.select_related("principle"), pk=action_pk)


def framework_of(assessment: UnitAssessment) -> tuple[list[Principle], list[Dimension]]:
    """The principles (statements and questions prefetched) and dimensions: four queries."""
    version_id = assessment.round.framework_version_id
    principles = list(
        Principle.objects.filter(version_id=version_id)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("statements", queryset=Statement.objects.order_by("order", "pk")),
            Prefetch("questions", queryset=ReflectionQuestion.objects.order_by("order", "pk")),
        )
    )
    dimensions = list(Dimension.objects.filter(version_id=version_id).order_by("order", "pk"))
    return principles, dimensions


def steering_names(assessment: UnitAssessment) -> dict[str, str]:
    names = {key: str(label) for key, label in SteeringKey.choices}
    for item in SteeringPrinciple.objects.filter(version_id=assessment.round.framework_version_id):
        names[item.key] = item.name
    return names


def person(user) -> str:
    """How a manager or administrator is named on the page (never a participant)."""
    if user is None:
        return "–"
    return user.get_full_name() or user.get_username()


def join_url(request: HttpRequest, assessment: UnitAssessment) -> str:
    """The absolute link participants open (served by the participants' views)."""
    return request.build_absolute_uri(reverse("join_link", kwargs={"code": assessment.join_code}))


def dialogue_url(assessment: UnitAssessment, anchor: str = "") -> str:
    url = reverse("manager_dialogue", args=[assessment.pk])
    return f"{url}#{anchor}" if anchor else url


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
