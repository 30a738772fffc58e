"""Who may see what. Every view and report that touches assessment data goes through here.

A role on a unit covers its whole subtree. Administrators (staff) see everything. Each
function returns a lazy queryset built with a constant number of queries whatever the size
of the tree: one to read the person's roles (cached on the user object for the request),
then the queryset itself.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import AssessmentState, Role, RoleKind, Round, Unit, UnitAssessment

_CACHE_ATTR = "_tillit_role_paths"


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def _role_paths(user) -> dict[str, list[str]]:
    """Tree paths of the units on which `user` holds each kind of role (one query, cached)."""
    if not user.is_authenticated or not user.is_active:
        return {kind: [] for kind in RoleKind.values}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = {kind: [] for kind in RoleKind.values}
        for kind, path in Role.objects.filter(user=user, unit__is_active=True).values_list(
            "kind", "unit__path"
        ):
            cached[kind].append(path)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _under(paths: list[str], field: str = "path") -> Q:
    """Units whose path starts with any of `paths` (subtrees); matches nothing when empty."""
    # Drop paths that lie inside another one: fewer OR terms, same result.
    roots = [p for p in sorted(paths) if not any(p != o and p.startswith(o) for o in paths)]
    condition = Q(pk__in=[])
    for path in roots:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def managed_units(user) -> QuerySet[Unit]:
    """Units the user manages: the subtrees under their manager roles."""
    if is_administrator(user):
        return Unit.objects.all()
    return Unit.objects.filter(_under(_role_paths(user)[RoleKind.MANAGER]))


def overseen_units(user) -> QuerySet[Unit]:
    """Units whose aggregates the user may see as quality developer (or administrator)."""
    if is_administrator(user):
        return Unit.objects.all()
    return Unit.objects.filter(_under(_role_paths(user)[RoleKind.QUALITY_DEVELOPER]))


def visible_units(user) -> QuerySet[Unit]:
    """Every unit the user has any business seeing: managed or overseen."""
    if is_administrator(user):
        return Unit.objects.all()
    paths = _role_paths(user)
    return Unit.objects.filter(_under(paths[RoleKind.MANAGER] + paths[RoleKind.QUALITY_DEVELOPER]))


def managed_assessments(user) -> QuerySet[UnitAssessment]:
    """Assessments the user may run as manager (open, run the dialogue, complete)."""
    if is_administrator(user):
        return UnitAssessment.objects.all()
    return UnitAssessment.objects.filter(_under(_role_paths(user)[RoleKind.MANAGER], "unit__path"))


def overseen_assessments(user) -> QuerySet[UnitAssessment]:
    """Completed assessments whose aggregates a quality developer may see."""
    if is_administrator(user):
        base = UnitAssessment.objects.all()
    else:
        paths = _role_paths(user)[RoleKind.QUALITY_DEVELOPER]
        base = UnitAssessment.objects.filter(_under(paths, "unit__path"))
    return base.filter(state=AssessmentState.COMPLETED)


def can_plan_rounds(user) -> bool:
    """Quality developers and administrators open rounds."""
    return is_administrator(user) or bool(_role_paths(user)[RoleKind.QUALITY_DEVELOPER])


def planned_rounds(user) -> QuerySet[Round]:
    """Rounds a quality developer may administer: those whose part of the tree is theirs."""
    if is_administrator(user):
        return Round.objects.all()
    return Round.objects.filter(_under(_role_paths(user)[RoleKind.QUALITY_DEVELOPER], "root__path"))


def steered_units(user) -> QuerySet[Unit]:
    """Units whose steering signals the user sees and answers: quality developers and
    förvaltning management (steering owners), each over their subtrees."""
    if is_administrator(user):
        return Unit.objects.all()
    paths = _role_paths(user)
    return Unit.objects.filter(
        _under(paths[RoleKind.QUALITY_DEVELOPER] + paths[RoleKind.STEERING_OWNER])
    )


def steered_assessments(user) -> QuerySet[UnitAssessment]:
    """Completed assessments whose steering signals the user sees and answers (see
    ``steered_units``). Signals of an assessment still under way are never shown upwards."""
    if is_administrator(user):
        base = UnitAssessment.objects.all()
    else:
        paths = _role_paths(user)
        base = UnitAssessment.objects.filter(
            _under(paths[RoleKind.QUALITY_DEVELOPER] + paths[RoleKind.STEERING_OWNER], "unit__path")
        )
    return base.filter(state=AssessmentState.COMPLETED)


def can_see_signals(user) -> bool:
    """Quality developers, förvaltning management and administrators see steering signals."""
    if is_administrator(user):
        return True
    paths = _role_paths(user)
    return bool(paths[RoleKind.QUALITY_DEVELOPER] or paths[RoleKind.STEERING_OWNER])


def topmost(units: list[Unit]) -> list[Unit]:
    """The units of `units` (ordered by path) that no other of them contains."""
    return [u for u in units if not any(u.path.startswith(o.path) and u != o for o in units)]


def get_or_404(queryset: QuerySet, **lookup):
    """Fetch one object from an already scoped queryset; anything outside it is a 404.

    A malformed key (``pk="abc"`` from a hand-edited URL) is a 404 too, not a server error.
    """
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
