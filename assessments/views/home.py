"""The start page: what Tillit is and a join-code box for visitors; each person's units after login.

Everything shown comes from `assessments.scoping`, in a constant number of queries whatever
the size of the tree (locked by tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse

from .. import scoping
from ..models import AssessmentState, Unit

# Administrators see everything; the start page shows them the top of the tree only.
ADMIN_TREE_LEVELS = 2
# Where the join form posts until the participants' join view exists.
JOIN_FALLBACK_URL = "/delta/"


@dataclass
class TreeNode:
    unit: Unit
    children: list[TreeNode] = field(default_factory=list)
    unit_count: int = 0  # units beneath, not counting itself
    assessment_count: int = 0  # in this unit and every unit beneath
    completed_count: int = 0


def build_tree(units: list[Unit], max_levels: int | None = None) -> list[TreeNode]:
    """Nested nodes from units ordered by path, with counts summed over each subtree.

    Units whose parent is not in `units` start a tree of their own. Counts come from the
    `assessment_total`/`completed_total` annotations. With `max_levels`, deeper nodes are
    counted but not kept.
    """
    roots: list[TreeNode] = []
    chain: list[TreeNode] = []  # the ancestors of the current unit (path order)
    for unit in units:
        node = TreeNode(
            unit,
            assessment_count=unit.assessment_total,
            completed_count=unit.completed_total,
        )
        while chain and not unit.path.startswith(chain[-1].unit.path):
            chain.pop()
        for ancestor in chain:
            ancestor.unit_count += 1
            ancestor.assessment_count += unit.assessment_total
            ancestor.completed_count += unit.completed_total
        if chain:
            level = len(chain) + 1
            if max_levels is None or level <= max_levels:
                chain[-1].children.append(node)
        else:
            roots.append(node)
        chain.append(node)
    return roots


@dataclass
class TreeRow:
    """One unit of a tree flattened for the template, which renders nested lists from it."""

    node: TreeNode
    level: int
    closes: range = range(0)  # how many nested lists end after this unit

    @property
    def has_children(self) -> bool:
        return bool(self.node.children)


def flatten(roots: list[TreeNode]) -> list[TreeRow]:
    rows: list[TreeRow] = []
    if not roots:  # a new installation with no units yet
        return rows
    stack = [(node, 1) for node in reversed(roots)]
    while stack:
        node, level = stack.pop()
        rows.append(TreeRow(node, level))
        stack.extend((child, level + 1) for child in reversed(node.children))
    for row, following in zip(rows, [*rows[1:], None], strict=True):
        if not row.has_children:
            row.closes = range(row.level - (following.level if following else 1))
    return rows


def _join_url() -> str:
    try:
        return reverse("join")
    except NoReverseMatch:
        return JOIN_FALLBACK_URL


def home(request: HttpRequest) -> HttpResponse:
    """The start page."""
    user = request.user
    context: dict = {"join_url": _join_url()}
    if not user.is_authenticated:
        return render(request, "home.html", context)

    is_admin = scoping.is_administrator(user)
    context["is_admin"] = is_admin
    if not is_admin:
        # Evaluating a scope without any role of that kind costs no query.
        context["managed_units"] = list(scoping.managed_units(user).order_by("path"))
        context["managed_assessments"] = list(
            scoping.managed_assessments(user)
            .select_related("round", "unit")
            .order_by("-round__opens_on", "unit__path")
        )
    if is_admin or scoping.can_plan_rounds(user):
        units = (
            scoping.overseen_units(user)
            .annotate(
                assessment_total=Count("assessments"),
                completed_total=Count(
                    "assessments", filter=Q(assessments__state=AssessmentState.COMPLETED)
                ),
            )
            .order_by("path")
        )
        if is_admin:
            units = units.only("pk", "path", "depth", "code", "name", "kind", "is_active")
        context["tree"] = flatten(build_tree(list(units), ADMIN_TREE_LEVELS if is_admin else None))
        context["tree_levels_limited"] = is_admin
    # Quality developers and förvaltning management see the units' steering signals (the
    # roles are already read: no query).
    context["sees_signals"] = scoping.can_see_signals(user)
    context["has_role"] = bool(
        context.get("managed_units")
        or context.get("tree")
        or context.get("managed_assessments")
        or context["sees_signals"]
    )
    return render(request, "home.html", context)


urlpatterns = [
    path("", home, name="home"),
]
