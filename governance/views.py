"""The steering signals' pages.

The unit's side (``signals``, ``signal_edit``, ``signal_delete``) hangs off the manager's
dialogue and looks its assessment up through ``scoping.managed_assessments`` (another unit's
is a 404). The side above the units (``index``, ``overview``, the exports, ``answer``) goes
through ``scoping.steered_assessments``: quality developers and förvaltning management see
completed assessments of their part of the tree only; anything else is a 404, and the start
page, which names no object, a 403 for people without such a role.
"""

import html
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from assessments import scoping, workflow
from assessments.agreements import AgreementConflict
from assessments.views.manager.common import managed, safe_next
from tillit.downloads import attachment

from . import overview as overviews
from . import report, services
from .forms import AnswerForm, SignalForm
from .models import SteeringSignal

# --- the unit's side ------------------------------------------------------------------------


def _signals_url(assessment) -> str:
    return reverse("governance_signals", args=[assessment.pk])


def _own_signals(assessment):
    return assessment.steering_signals.order_by("created_at", "pk")


@login_required
def signals(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's steering signals: listed, added during the dialogue, and the answers to
    what the unit raised in earlier rounds."""
    assessment = managed(request, pk)
    editable = workflow.accepts_agreements(assessment)
    form = None
    if editable:
        form = SignalForm(request.POST if request.method == "POST" else None, assessment=assessment)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Steering signals are recorded during the dialogue."))
            return redirect(_signals_url(assessment))
        if form.is_valid():
            try:
                services.create_signal(assessment, request.user, **form.service_values())
            except workflow.WorkflowError as error:
                messages.error(request, error.message)
                return redirect(_signals_url(assessment))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The steering signal is added."))
                return redirect(_signals_url(assessment) + "#signals")
    rows = overviews.signal_rows(_own_signals(assessment))
    return render(
        request,
        "governance/signals.html",
        {
            "assessment": assessment,
            "editable": editable,
            "form": form,
            "signals": rows,
            "hours": sum(s.hours for s in rows),
            "earlier": report.raised_before(assessment),
        },
    )


def _signal_of(assessment, signal_pk: int) -> SteeringSignal:
    return get_object_or_404(
        assessment.steering_signals.select_related("level", "kind", "purpose"), pk=signal_pk
    )


@login_required
def signal_edit(request: HttpRequest, pk: int, signal_pk: int) -> HttpResponse:
    assessment = managed(request, pk)
    signal = _signal_of(assessment, signal_pk)
    if not workflow.accepts_agreements(assessment):
        messages.error(request, _("Steering signals are changed during the dialogue only."))
        return redirect(_signals_url(assessment))
    initial = {
        "title": signal.title,
        "level": signal.level,
        "kind": signal.kind,
        "purpose": signal.purpose,
        "hours_per_month": signal.hours_per_month,
        "effect": signal.effect,
        "proposal": signal.proposal,
        "reason": signal.reason,
        "lock_version": signal.lock_version,
    }
    form = SignalForm(
        request.POST if request.method == "POST" else None, initial=initial, assessment=assessment
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_signal(
                assessment,
                signal,
                request.user,
                lock_version=form.cleaned_data["lock_version"] or 0,
                **form.service_values(),
            )
        except AgreementConflict as clash:
            if clash.current is None:
                messages.error(request, _("Someone else deleted this steering signal meanwhile."))
                return redirect(_signals_url(assessment))
            conflict = overviews.signal_rows(SteeringSignal.objects.filter(pk=clash.current.pk))[0]
            data = request.POST.copy()
            data["lock_version"] = str(clash.current.lock_version)
            form = SignalForm(data, assessment=assessment)
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect(_signals_url(assessment))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The steering signal is saved."))
            return redirect(_signals_url(assessment) + "#signals")
    return render(
        request,
        "governance/signal_form.html",
        {"assessment": assessment, "form": form, "signal": signal, "conflict": conflict},
    )


@login_required
def signal_delete(request: HttpRequest, pk: int, signal_pk: int) -> HttpResponse:
    assessment = managed(request, pk)
    signal = _signal_of(assessment, signal_pk)
    if request.method == "POST":
        try:
            services.delete_signal(assessment, signal, request.user)
        except AgreementConflict:
            messages.info(request, _("The steering signal was already deleted."))
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The steering signal is deleted."))
        return redirect(_signals_url(assessment) + "#signals")
    return render(
        request,
        "governance/signal_delete.html",
        {
            "assessment": assessment,
            "signal": signal,
            "editable": workflow.accepts_agreements(assessment),
        },
    )


# --- above the units ------------------------------------------------------------------------


def _require_steering_role(request: HttpRequest) -> None:
    if not scoping.can_see_signals(request.user):
        raise PermissionDenied


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Where to start: the rounds and the parts of the tree whose signals the person sees."""
    _require_steering_role(request)
    rounds = list(overviews.rounds_for(request.user).order_by("-opens_on", "-pk"))
    tops = overviews.top_units(request.user)
    entries = [
        (
            round_,
            [
                unit
                for unit in tops
                if unit.path.startswith(round_.root.path) or round_.root.path.startswith(unit.path)
            ],
        )
        for round_ in rounds
    ]
    return render(request, "governance/index.html", {"entries": entries})


def signal_items(kind: overviews.Group, back: str) -> SafeString:
    """The list items of a kind's signals: plain string building, not the template.

    A thousand units name some two thousand signals; the template language takes seconds
    over that, plain strings a few milliseconds. Every text from the database goes through
    ``escape``; the rest are numbers and our own translated labels (escaped too).
    """
    escape = html.escape
    labels = {
        "proposal": escape(_("Proposal:")),
        "answer": escape(_("Answer:")),
        "not_answered": escape(_("Not answered yet")),
        "answer_link": escape(_("Answer the proposal")),
        "change_link": escape(_("Change the answer")),
    }
    answer_url = reverse("governance_answer", args=[0]).rsplit("0/", 1)[0]
    query = f"?next={quote(back)}%23{kind.key}-heading"
    out: list[str] = []
    append = out.append
    for s in kind.signals:
        hours = escape(_("%(hours)d h/month") % {"hours": s.hours})
        reason = f" – {escape(s.reason)}" if s.reason else ""
        if s.answer is None:
            answer = f'<span class="text-body-secondary">{labels["not_answered"]}</span>'
            link = labels["answer_link"]
        else:
            due = ""
            if s.answer.due_on:
                due = " – " + escape(
                    _("by %(when)s") % {"when": date_format(s.answer.due_on, "DATE_FORMAT")}
                )
            text = f"<br>{escape(s.answer.text)}" if s.answer.text else ""
            answer = (
                f'<strong class="answer-status answer-{s.answer.status}">'
                f"{escape(s.answer.status_label)}</strong>{due}{text}"
            )
            link = labels["change_link"]
        append(
            f'<li class="signal-item"><p class="mb-1"><strong>{escape(s.title)}</strong> – '
            f"{escape(s.unit_name)}</p>"
            f'<p class="mb-1 small">{escape(s.purpose)} · {hours} · '
            f'<span class="effect effect-{s.effect}">{escape(s.effect_label)}</span></p>'
            f'<p class="mb-1">{labels["proposal"]} <strong>{escape(s.proposal_label)}</strong>'
            f"{reason}</p>"
            f'<p class="mb-1">{labels["answer"]} {answer}</p>'
            f'<a href="{answer_url}{s.pk}/{query}">{link}<span class="visually-hidden">: '
            f"{escape(s.title)}, {escape(s.unit_name)}</span></a></li>"
        )
    return mark_safe("".join(out))  # built from escaped parts only


@login_required
def overview(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    round_, node = overviews.get_round_and_node(request.user, round_pk, unit_pk)
    data = overviews.build_overview(request.user, round_, node)
    for level in data.levels:
        for kind in level.kinds:
            kind.items_html = signal_items(kind, request.path)
    return render(request, "governance/overview.html", {"data": data})


@login_required
def overview_csv(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    from . import exports

    round_, node = overviews.get_round_and_node(request.user, round_pk, unit_pk)
    data = overviews.build_overview(request.user, round_, node)
    return attachment(
        exports.to_csv(data), "text/csv; charset=utf-8", exports.filename(data, "csv")
    )


@login_required
def overview_xlsx(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    from . import exports

    round_, node = overviews.get_round_and_node(request.user, round_pk, unit_pk)
    data = overviews.build_overview(request.user, round_, node)
    return attachment(
        exports.to_xlsx(data),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.filename(data, "xlsx"),
    )


@login_required
def answer(request: HttpRequest, signal_pk: int) -> HttpResponse:
    """Answer a unit's proposal: accepted, will be looked into, or kept."""
    signal = scoping.get_or_404(
        SteeringSignal.objects.filter(
            assessment__in=scoping.steered_assessments(request.user)
        ).select_related("assessment__round"),
        pk=signal_pk,
    )
    row = overviews.signal_rows(SteeringSignal.objects.filter(pk=signal.pk))[0]
    back = safe_next(request, reverse("governance_index"))
    initial = {"lock_version": row.answer.lock_version if row.answer else 0}
    if row.answer:
        initial.update(status=row.answer.status, text=row.answer.text, due_on=row.answer.due_on)
    form = AnswerForm(request.POST if request.method == "POST" else None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_signal(
                signal,
                request.user,
                lock_version=form.cleaned_data["lock_version"],
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                due_on=form.cleaned_data["due_on"],
            )
        except AgreementConflict as clash:
            conflict = clash.current
            data = request.POST.copy()
            data["lock_version"] = str(conflict.lock_version if conflict else 0)
            form = AnswerForm(data)
        except services.AnswerRefused as refused:
            messages.error(request, refused.message)
            return redirect(back)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("Your answer to “%(title)s” is saved.") % {"title": signal.title}
            )
            return redirect(back)
    return render(
        request,
        "governance/answer.html",
        {
            "signal": row,
            "round": signal.assessment.round,
            "form": form,
            "conflict": conflict,
            "next": back,
        },
    )


urlpatterns = [
    path("skattning/<int:pk>/styrsignaler/", signals, name="governance_signals"),
    path(
        "skattning/<int:pk>/styrsignaler/<int:signal_pk>/",
        signal_edit,
        name="governance_signal_edit",
    ),
    path(
        "skattning/<int:pk>/styrsignaler/<int:signal_pk>/ta-bort/",
        signal_delete,
        name="governance_signal_delete",
    ),
    path("styrsignaler/", index, name="governance_index"),
    path("styrsignaler/<int:round_pk>/<int:unit_pk>/", overview, name="governance_overview"),
    path(
        "styrsignaler/<int:round_pk>/<int:unit_pk>/csv/",
        overview_csv,
        name="governance_overview_csv",
    ),
    path(
        "styrsignaler/<int:round_pk>/<int:unit_pk>/xlsx/",
        overview_xlsx,
        name="governance_overview_xlsx",
    ),
    path("styrsignaler/svar/<int:signal_pk>/", answer, name="governance_answer"),
]
