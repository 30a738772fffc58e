"""Rounds: a quality developer or administrator opens one across part of the unit tree.

`open_round` is the only way a round comes into being from the app. It checks everything
again that the form checked (scope, dates, framework version), so that no caller can open a
round on units outside the person's part of the tree.
"""

import datetime
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from principles.models import FrameworkVersion, VersionStatus

from . import joincodes, scoping
from .models import AssessmentState, Round, Unit, UnitAssessment

NAME_MAX_LENGTH = Round._meta.get_field("name").max_length
CREATION_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what `new_creation_token` makes


# ---------------------------------------------------------------------------------------
# The part of the tree a person may open rounds on
# ---------------------------------------------------------------------------------------


def plannable_units(user) -> QuerySet[Unit]:
    """Active units the user may include in a round (their part of the tree)."""
    return scoping.overseen_units(user).filter(is_active=True).order_by("path")


def default_root(user) -> Unit | None:
    """The highest unit of the user's part of the tree: where a new round starts."""
    return plannable_units(user).order_by("depth", "path").first()


def units_under(user, root: Unit) -> QuerySet[Unit]:
    """The root and every active unit below it that the user may include, in tree order."""
    return plannable_units(user).filter(path__startswith=root.path)


def default_units(units: Iterable[Unit]) -> list[Unit]:
    """Units taking part unless the planner says otherwise: the leaves (no child units)."""
    units = list(units)
    parents = {unit.path[: -Unit.steplen] for unit in units if unit.depth > 1}
    return [unit for unit in units if unit.path not in parents]


@dataclass
class TreeNode:
    unit: Unit
    children: list["TreeNode"] = field(default_factory=list)


def as_tree(units: Iterable[Unit]) -> list[TreeNode]:
    """Nest units (in path order) under their parents, for the checkbox tree."""
    roots: list[TreeNode] = []
    by_path: dict[str, TreeNode] = {}
    for unit in sorted(units, key=lambda u: u.path):
        node = TreeNode(unit)
        parent = by_path.get(unit.path[: -Unit.steplen])
        (parent.children if parent else roots).append(node)
        by_path[unit.path] = node
    return roots


# ---------------------------------------------------------------------------------------
# Opening a round
# ---------------------------------------------------------------------------------------


def new_creation_token() -> str:
    """A random token for one round form: sent twice, it opens the round only once."""
    return secrets.token_urlsafe(24)


class RoundAlreadyOpened(Exception):
    """The form with this creation token has opened a round already: `round` is that one."""

    def __init__(self, round_: Round) -> None:
        super().__init__(round_.pk)
        self.round = round_


def _opened_with(user, creation_token: str) -> Round | None:
    """The round this form opened before; ValidationError if someone else's form did."""
    earlier = Round.objects.filter(creation_token=creation_token).first()
    if earlier is not None and not scoping.planned_rounds(user).filter(pk=earlier.pk).exists():
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This form has been used already. Reload the page.")]}
        )
    return earlier


@transaction.atomic
def open_round(
    *,
    user,
    name: str,
    framework_version: FrameworkVersion,
    root: Unit,
    opens_on: datetime.date,
    closes_on: datetime.date,
    units: Iterable[Unit],
    creation_token: str | None = None,
) -> Round:
    """Create the round and one unit assessment (preparing, with a join code) per unit.

    Raises `PermissionDenied` for someone who may not plan rounds and `ValidationError`
    (keyed by the round form's field names) for anything else; then nothing is stored.
    Runs a fixed number of queries however many units take part.

    `creation_token` (from the form) makes a double click or a resubmitted form harmless: the
    round it opened the first time comes back as `RoundAlreadyOpened`, and nothing new is
    stored. Without a token every call opens a round.
    """
    if not scoping.can_plan_rounds(user):
        raise PermissionDenied
    if creation_token is not None and not CREATION_TOKEN.fullmatch(creation_token):
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("The form was incomplete. Reload the page and try again.")]}
        )
    if creation_token and (earlier := _opened_with(user, creation_token)) is not None:
        raise RoundAlreadyOpened(earlier)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Give the round a name."))
    elif len(name) > NAME_MAX_LENGTH:
        errors.setdefault("name", []).append(
            _("Keep the name to %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        )
    if framework_version is None or framework_version.status != VersionStatus.PUBLISHED:
        errors.setdefault("framework_version", []).append(
            _("Choose a published framework version.")
        )
    if opens_on and closes_on and closes_on < opens_on:
        errors.setdefault("closes_on", []).append(_("The round cannot close before it opens."))
    in_scope_root = root is not None and plannable_units(user).filter(pk=root.pk).exists()
    if not in_scope_root:
        errors.setdefault("root", []).append(
            _("Choose a part of the organisation you are responsible for.")
        )
    unit_ids = {unit.pk for unit in units}
    if not unit_ids:
        errors.setdefault("units", []).append(_("Choose at least one unit to take part."))
    elif in_scope_root:
        allowed = units_under(user, root).filter(pk__in=unit_ids).count()
        if allowed != len(unit_ids):
            errors.setdefault("units", []).append(
                _("Only units within the chosen part of the organisation can take part.")
            )
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():  # a savepoint: the same form sent twice at the same moment
            round_ = Round.objects.create(
                name=name,
                framework_version=framework_version,
                root=root,
                opens_on=opens_on,
                closes_on=closes_on,
                created_by=user if user.is_authenticated else None,
                creation_token=creation_token or None,
            )
    except IntegrityError:
        earlier = _opened_with(user, creation_token) if creation_token else None
        if earlier is None:
            raise
        raise RoundAlreadyOpened(earlier) from None
    codes = joincodes.unused_codes(len(unit_ids))
    UnitAssessment.objects.bulk_create(
        [
            UnitAssessment(
                round=round_, unit_id=unit_id, state=AssessmentState.PREPARING, join_code=code
            )
            for unit_id, code in zip(sorted(unit_ids), codes, strict=True)
        ]
    )
    return round_


# ---------------------------------------------------------------------------------------
# Reading rounds back (scoped)
# ---------------------------------------------------------------------------------------


def rounds_for(user) -> QuerySet[Round]:
    """The rounds the user plans, with their counts (one query whatever their number)."""
    return (
        scoping.planned_rounds(user)
        .select_related("root", "framework_version")
        .annotate(
            unit_count=Count("assessments", distinct=True),
            completed_count=Count(
                "assessments",
                filter=Q(assessments__state=AssessmentState.COMPLETED),
                distinct=True,
            ),
            respondent_count=Count("assessments__respondents", distinct=True),
        )
    )


def assessments_of(round_: Round) -> QuerySet[UnitAssessment]:
    """A round's unit assessments in tree order, with their participation counts.

    Counts only: no one's answers, so quality developers may see them.
    """
    return (
        round_.assessments.select_related("unit")
        .annotate(
            respondent_count=Count("respondents"),
            finished_count=Count("respondents", filter=Q(respondents__finished_at__isnull=False)),
        )
        .order_by("unit__path")
    )
