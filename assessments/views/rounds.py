"""Rounds, for quality developers and administrators: list, open a new one, look at one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tillit.fields import parse_id

from .. import rounds, scoping
from ..forms_rounds import RootForm, RoundForm


def _require_planner(request: HttpRequest) -> None:
    if not scoping.can_plan_rounds(request.user):
        raise PermissionDenied


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    return render(
        request,
        "assessments/rounds/list.html",
        {"rounds": list(rounds.rounds_for(request.user))},
    )


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    user = request.user
    # The part of the tree comes from the query string (step one) or the posted form; a unit
    # outside the person's part of the tree is a 404 there, a form error when posted.
    if request.method == "POST":
        # Only the tree to show again: the form reads (and refuses) the posted root itself.
        root_id = parse_id(request.POST.get("root"))
        root = rounds.plannable_units(user).filter(pk=root_id).first() if root_id else None
        root = root or rounds.default_root(user)
    elif request.GET.get("root"):
        root = scoping.get_or_404(rounds.plannable_units(user), pk=parse_id(request.GET["root"]))
    else:
        root = rounds.default_root(user)
    if root is None:
        return render(request, "assessments/rounds/create.html", {"no_units": True})

    form = RoundForm(request.POST or None, user=user, root=root)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = form.save()
        except ValidationError:
            pass  # the form now carries the messages
        except rounds.RoundAlreadyOpened as opened:
            # The same form again (a double click, a resubmit): show the round it opened.
            messages.info(
                request,
                _("This form had already opened the round “%(name)s”; it was not opened twice.")
                % {"name": opened.round.name},
            )
            return redirect("round_detail", pk=opened.round.pk)
        else:
            messages.success(
                request,
                ngettext(
                    "The round “%(name)s” is open with %(count)d unit.",
                    "The round “%(name)s” is open with %(count)d units.",
                    count := round_.assessments.count(),
                )
                % {"name": round_.name, "count": count},
            )
            return redirect("round_detail", pk=round_.pk)
    checked = form.checked_unit_ids()
    return render(
        request,
        "assessments/rounds/create.html",
        {
            "form": form,
            "root": root,
            "root_form": RootForm(initial={"root": root.pk}, user=user),
            "tree": rounds.as_tree(form.tree_units),
            "checked": checked,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_planner(request)
    round_ = scoping.get_or_404(
        scoping.planned_rounds(request.user).select_related("root", "framework_version"), pk=pk
    )
    assessments = list(rounds.assessments_of(round_))
    return render(
        request,
        "assessments/rounds/detail.html",
        {
            "round": round_,
            "assessments": assessments,
            "respondent_total": sum(a.respondent_count for a in assessments),
            "finished_total": sum(a.finished_count for a in assessments),
        },
    )


urlpatterns = [
    path("omgangar/", round_list, name="round_list"),
    path("omgangar/ny/", round_create, name="round_create"),
    path("omgangar/<int:pk>/", round_detail, name="round_detail"),
]
