"""Participants: joining by code or link, and answering individually, one page at a time.

A participant has no account. Opening the join link and pressing "Start" creates a
respondent and gives the device a secret token in a signed, HttpOnly cookie that only this
assessment's pages receive; the database keeps only the token's SHA-256. The same link on the
same device resumes. Every answer page saves when it is left (Next, Back or a jump in the
progress list are all POSTs), and the service in `assessments.answers` is the authority on
what may be saved. A page left with nothing answered by "Save and continue" is named on the
next page, and the summary lists every page not fully answered.

Join codes are the only key to an assessment, so failed codes are counted per client address
and per network (`assessments.ratelimit`, `tillit.clientip`), and a client or network beyond
its limit is refused with 429. There is deliberately no overall limit: a flood from many
networks would then lock every participant out, and 50-bit codes need none
(`assessments.joincodes`).

One person, one respondent: the browser gets a device cookie when it opens the join page, and
a device that already has a respondent in this assessment gets it back rather than a new
one; respondents made from one network address are limited per assessment; and no more are
made than the manager expects.

A page reads little: the respondent with its assessment in one query, the page's answers in
another; the framework is kept in memory once published (`principles.cache`). When the
database fails on the way (a dropped connection, a restart), the participant gets a 503 that
keeps what they typed: the page again with their values, or, when the respondent could not
even be found, a form that sends the same fields again. A save is acknowledged only by the
redirect that follows its commit.
"""

import datetime
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from principles.cache import Framework, framework
from principles.models import Principle
from tillit import clientip

from .. import answers, disclosure, joincodes, privacy, ratelimit
from ..forms_participant import BalanceForm, DimensionsForm, JoinForm, PrinciplePageForm
from ..models import AssessmentState, Respondent, UnitAssessment

COOKIE_SALT = "tillit.participant.respondent"
DEVICE_COOKIE = "tillit_device"
DEVICE_SALT = "tillit.participant.device"
COOKIE_MAX_AGE = int(datetime.timedelta(days=120).total_seconds())
# A dropped connection, a database restarting or refusing connections: worth trying again.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def _creation_limit() -> ratelimit.Limit:
    """Respondents one network address may create in one assessment per window."""
    return ratelimit.Limit(
        "join-create",
        settings.JOIN_CREATES_PER_ADDRESS,
        getattr(settings, "JOIN_FAILURE_WINDOW_SECONDS", 600),
    )


def _limits(request: HttpRequest) -> list[tuple[ratelimit.Limit, str]]:
    """The failed-code limits this request counts against, each with its identity there."""
    window = getattr(settings, "JOIN_FAILURE_WINDOW_SECONDS", 600)
    address = _client_ip(request)
    return [
        (ratelimit.Limit("join-client", settings.JOIN_FAILURES_PER_CLIENT, window), address),
        (
            ratelimit.Limit("join-network", settings.JOIN_FAILURES_PER_NETWORK, window),
            clientip.network(address) or address,
        ),
    ]


def _client_ip(request: HttpRequest) -> str:
    return clientip.client_ip(request) or "unknown"


def _blocked(request: HttpRequest) -> str | None:
    """Why codes from this request's address or network are refused for now, or None."""
    if any(ratelimit.is_blocked(limit, identity) for limit, identity in _limits(request)):
        return _(
            "Too many codes that do not exist have been tried from your network. Wait ten "
            "minutes and try again, or join over another network, such as your phone's "
            "mobile data."
        )
    return None


def _record_failure(request: HttpRequest) -> None:
    for limit, identity in _limits(request):
        ratelimit.record(limit, identity)


# ---------------------------------------------------------------------------------------
# The respondent's cookie
# ---------------------------------------------------------------------------------------


def cookie_name(code: str) -> str:
    return f"tillit_r_{code}"


def _cookie_path(code: str) -> str:
    return reverse("join_link", kwargs={"code": code})


def _token_from_cookie(request: HttpRequest, code: str) -> str | None:
    """The token in this assessment's cookie, if the cookie is ours and unaltered."""
    value = request.get_signed_cookie(
        cookie_name(code), default=None, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE
    )
    if not value or ":" not in value:
        return None
    signed_code, token = value.split(":", 1)
    # The code is signed in with the token: a cookie moved over from another assessment
    # fails here, before any lookup.
    return token if signed_code == code else None


def _set_cookie(response: HttpResponse, code: str, token: str) -> None:
    response.set_signed_cookie(
        cookie_name(code),
        f"{code}:{token}",
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        path=_cookie_path(code),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _device_id(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    return value if value and len(value) <= 64 else None


def _set_device_cookie(response: HttpResponse, device_id: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        device_id,
        salt=DEVICE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _source(request: HttpRequest) -> str:
    """Network address and browser, hashed with a key: what "one source" means."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return answers.keyed_hash("source", f"{_client_ip(request)}|{agent}")


# ---------------------------------------------------------------------------------------
# Pages around the answers: messages, steps, navigation
# ---------------------------------------------------------------------------------------


def _message(
    request: HttpRequest,
    *,
    title: str,
    text: str,
    status: int,
    assessment: UnitAssessment | None = None,
    show_join: bool = False,
    link: tuple[str, str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "assessments/participant/message.html",
        {
            "title": title,
            "text": text,
            "assessment": assessment,
            "show_join": show_join,
            "link": link,
        },
        status=status,
    )


def _phase_message(request: HttpRequest, assessment: UnitAssessment, status: int) -> HttpResponse:
    error = answers.PhaseClosedError(assessment.state)
    if assessment.state == AssessmentState.PREPARING:
        title = _("Not open yet")
    else:
        title = _("The individual part is closed")
    return _message(
        request, title=title, text=str(error.message), status=status, assessment=assessment
    )


@dataclass
class Step:
    slug: str
    title: str
    url_name: str
    url_kwargs: dict[str, object]
    number: int

    @cached_property
    def url(self) -> str:
        # Reversed when asked for: a save needs only the one it leads to, not all ten.
        return reverse(self.url_name, kwargs=self.url_kwargs)


def _steps(assessment: UnitAssessment, principles: Sequence[Principle]) -> list[Step]:
    code = assessment.join_code
    steps = [
        Step(
            f"principle-{index}",
            principle.name,
            "participant_principle",
            {"code": code, "number": index},
            index,
        )
        for index, principle in enumerate(principles, start=1)
    ]
    for slug, title, name in (
        ("dimensions", _("Control or trust"), "participant_dimensions"),
        ("balance", _("Steering balance"), "participant_balance"),
        ("summary", _("Done"), "participant_summary"),
    ):
        steps.append(Step(slug, title, name, {"code": code}, len(steps) + 1))
    return steps


def _framework(assessment: UnitAssessment) -> Framework:
    """The assessment's framework: read once per process once published (`principles.cache`)."""
    return framework(assessment.round.framework_version)


def _target(steps: list[Step], current: str, nav: str | None) -> Step:
    """Where the button pressed leads: Next, Back, or a step of the progress list."""
    index = next(i for i, step in enumerate(steps) if step.slug == current)
    if nav == "back":
        return steps[max(index - 1, 0)]
    for step in steps:
        if nav == f"go-{step.slug}":
            return step
    return steps[min(index + 1, len(steps) - 1)]


def _page_context(
    assessment: UnitAssessment, steps: list[Step], current: str, **extra
) -> dict[str, object]:
    step = next(s for s in steps if s.slug == current)
    return {
        "assessment": assessment,
        "steps": steps,
        "step": step,
        "step_count": len(steps),
        "percent": round(100 * step.number / len(steps)),
        "principle_count": sum(1 for s in steps if s.slug.startswith("principle-")),
        "is_first": step.number == 1,
        **extra,
    }


def _resume_url(assessment: UnitAssessment, respondent: Respondent) -> str:
    """The first page with something left to answer, or the summary."""
    progress = answers.progress(respondent, _framework(assessment))
    code = assessment.join_code
    for index, principle in enumerate(progress.principles, start=1):
        if not principle.complete:
            return reverse("participant_principle", kwargs={"code": code, "number": index})
    if not progress.dimensions_complete:
        return reverse("participant_dimensions", kwargs={"code": code})
    if not progress.balance_complete:
        return reverse("participant_balance", kwargs={"code": code})
    return reverse("participant_summary", kwargs={"code": code})


# ---------------------------------------------------------------------------------------
# Resolving a code (rate-limited) and the respondent
# ---------------------------------------------------------------------------------------


def _resolve(request: HttpRequest, code: str, url_name: str, kwargs: dict):
    """The assessment of `code`, or the response to give instead (429, 404, redirect)."""
    normalized = joincodes.normalize(code)
    blocked = _blocked(request)
    if blocked and not (normalized and _token_from_cookie(request, normalized)):
        # A device that already joined this assessment carries a cookie we signed for this
        # code, and may go on even while its network is blocked.
        return _message(
            request,
            title=_("Too many attempts"),
            text=blocked,
            status=429,
            show_join=False,
        )
    assessment = joincodes.assessment_for_code(normalized) if normalized else None
    if assessment is None:
        if normalized:  # a well-formed code that does not exist: a guess, or a typo
            _record_failure(request)
        return _message(
            request,
            title=_("No self-assessment has this code"),
            text=_(
                "Check the link or the code you were given, and try again. Your manager can "
                "show it again."
            ),
            status=404,
            show_join=True,
        )
    if code != assessment.join_code and request.method == "GET":
        # One spelling per assessment, so that the cookie's path matches.
        return redirect(url_name, code=assessment.join_code, **kwargs)
    return assessment


def participant_page(url_name: str) -> Callable[[Callable], Callable]:
    """Resolve the code, check the phase and find the respondent before the view runs."""
    return lambda view: _participant_page(view, url_name)


def _find(
    request: HttpRequest, code: str, url_name: str, kwargs: dict
) -> Respondent | HttpResponse:
    """The respondent, or the response to give instead (429, 404, 403, 409, redirect).

    A device that has joined carries a cookie signed for this code: one query finds its
    respondent together with the assessment. Anything else takes the longer way, which tells
    a wrong code from a closed phase from an unknown device.
    """
    normalized = joincodes.normalize(code)
    respondent = answers.respondent_for_code(
        normalized, _token_from_cookie(request, normalized) if normalized else None
    )
    if respondent is not None and (code == normalized or request.method == "POST"):
        assessment = respondent.assessment
    else:
        resolved = _resolve(request, code, url_name, kwargs)
        if isinstance(resolved, HttpResponse):
            return resolved
        assessment = resolved
        respondent = None
    if assessment.state != AssessmentState.INDIVIDUAL:
        return _phase_message(request, assessment, 409 if request.method == "POST" else 200)
    if respondent is None:
        return _message(
            request,
            title=_("We do not recognise this device"),
            text=_(
                "Your answers are tied to the device and browser you started on. Open the "
                "link you were given on that device, or start here to answer anew."
            ),
            status=403,
            assessment=assessment,
            link=(_cookie_path(assessment.join_code), _("Start the self-assessment")),
        )
    return respondent


def _participant_page(view: Callable, url_name: str) -> Callable:
    @wraps(view)
    @never_cache
    @require_http_methods(["GET", "POST"])
    def wrapper(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
        try:
            found = _find(request, code, url_name, kwargs)
            if isinstance(found, HttpResponse):
                return found
            return view(request, found.assessment, found, **kwargs)
        except DATABASE_UNAVAILABLE:
            # The answer pages catch this around a save and show the form again; here the
            # database failed before the page could be built (finding the respondent).
            return _unavailable(request)

    return wrapper


def _without_database(request: HttpRequest) -> None:
    """Render a page without reading the user or their messages: the database just failed."""
    request.user = AnonymousUser()
    request._messages = CookieStorage(request)


def _unavailable(request: HttpRequest) -> HttpResponse:
    """503 when the database failed before the page was built. A POST's fields come back in
    a form that sends them again, so nothing typed is lost."""
    _without_database(request)
    if request.method != "POST":
        return _message(
            request,
            title=_("The page could not be shown just now"),
            text=_("Something went wrong on our side. Wait a moment and reload the page."),
            status=503,
        )
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
    return render(request, "assessments/participant/resend.html", {"fields": fields}, status=503)


# ---------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Type the code: a well-formed code that exists leads to its join page."""
    form = JoinForm(request.POST or None)
    status = 200
    if request.method == "POST":
        blocked = _blocked(request)
        if blocked:
            form.is_valid()
            form.add_error(None, blocked)
            status = 429
        elif form.is_valid():
            assessment = joincodes.assessment_for_code(form.cleaned_data["code"])
            if assessment is not None:
                return redirect("join_link", code=assessment.join_code)
            _record_failure(request)
            blocked = _blocked(request)
            if blocked:
                form.add_error(None, blocked)
                status = 429
            else:
                form.add_error(
                    "code",
                    _(
                        "No self-assessment has this code. Check it against the one you were "
                        "given and try again."
                    ),
                )
                status = 400
        else:
            status = 400
    return render(
        request,
        "assessments/participant/join.html",
        {"form": form, "notice": privacy.participant_notice()},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def join_link(request: HttpRequest, code: str) -> HttpResponse:
    """The link and QR code lead here: a welcome page whose Start button makes a respondent.

    Creating the respondent on the POST, not on opening the link, keeps link previews in chat
    and mail programs from counting as participants.
    """
    resolved = _resolve(request, code, "join_link", {})
    if isinstance(resolved, HttpResponse):
        return resolved
    assessment = resolved
    if assessment.state != AssessmentState.INDIVIDUAL:
        return _phase_message(request, assessment, 409 if request.method == "POST" else 200)
    token = _token_from_cookie(request, assessment.join_code)
    respondent = answers.respondent_for_token(assessment, token)
    if respondent is not None:
        return redirect(_resume_url(assessment, respondent))
    device_id = _device_id(request)
    if request.method == "GET":
        principle_count = len(_framework(assessment).principles)
        response = render(
            request,
            "assessments/participant/welcome.html",
            {
                "assessment": assessment,
                "principle_count": principle_count,
                "display_code": joincodes.display(assessment.join_code),
                "min_respondents": disclosure.threshold(),
                "notice": privacy.participant_notice(),
            },
        )
        if device_id is None:
            _set_device_cookie(response, secrets.token_urlsafe(24))
        return response
    created_here = _creation_limit()
    address = f"{assessment.pk}:{_client_ip(request)}"
    if ratelimit.is_blocked(created_here, address):
        return _message(
            request,
            title=_("Too many have joined from this network"),
            text=_(
                "Many participants have just joined from the same network. Wait ten minutes "
                "and try again, or join from your phone's mobile data."
            ),
            status=429,
            assessment=assessment,
        )
    try:
        respondent, token = answers.create_respondent(
            assessment,
            device=answers.keyed_hash("device", device_id) if device_id else "",
            source=_source(request),
        )
    except answers.PhaseClosedError as closed:
        assessment.state = closed.state
        return _phase_message(request, assessment, 409)
    except answers.JoinRefused as full:
        return _message(
            request,
            title=_("Everyone expected has joined"),
            text=full.message,
            status=409,
            assessment=assessment,
        )
    ratelimit.record(created_here, address)
    response = redirect(_resume_url(assessment, respondent))
    _set_cookie(response, assessment.join_code, token)
    if device_id is None:
        _set_device_cookie(response, secrets.token_urlsafe(24))
    return response


# The page left with nothing answered, named in the address of the next one so that it can
# say so: a plain redirect works without JavaScript and keeps no state on the server.
UNANSWERED_PARAM = "unanswered"


def _leave(request: HttpRequest, form, steps: list[Step], current: str) -> HttpResponse:
    """After saving: go where the button pointed, noting a page left empty with "Next"."""
    nav = request.POST.get("nav") or "next"
    target = _target(steps, current, nav)
    # Back and the jumps in the list are deliberate; the summary lists empty pages itself.
    if form.left_empty() and nav == "next" and target.slug != "summary":
        return HttpResponseRedirect(f"{target.url}?{urlencode({UNANSWERED_PARAM: current})}")
    return HttpResponseRedirect(target.url)


def _left_unanswered(request: HttpRequest, steps: list[Step], current: str) -> Step | None:
    """The answer page the participant has just left with nothing answered, if any."""
    slug = request.GET.get(UNANSWERED_PARAM)
    return next((s for s in steps if s.slug == slug and s.slug not in (current, "summary")), None)


def _save_or_rerender(
    request: HttpRequest,
    form,
    save: Callable[[], None],
    steps: list[Step],
    current: str,
    template: str,
    context: dict,
) -> HttpResponse:
    """The common POST: validate, save through the service, go where the button pointed."""
    if request.method == "POST":
        if form.is_valid():
            try:
                save()
            except answers.PhaseClosedError as closed:
                assessment = context["assessment"]
                assessment.state = closed.state
                return _phase_message(request, assessment, 409)
            except ValidationError as error:
                form.apply_service_errors(error)
            except (*DATABASE_UNAVAILABLE, answers.SaveInterrupted):
                # Nothing of this save was committed: show the page again as it was sent, so
                # that the same button press saves it once the database is back.
                _without_database(request)
                context.update(form=form, not_saved=True)
                return render(request, template, context, status=503)
            else:
                return _leave(request, form, steps, current)
        form.mark_invalid()
        context["form"] = form
        return render(request, template, context, status=400)
    context["form"] = form
    context["left_unanswered"] = _left_unanswered(request, steps, current)
    return render(request, template, context)


@participant_page("participant_principle")
def participant_principle(
    request: HttpRequest, assessment: UnitAssessment, respondent: Respondent, number: int
) -> HttpResponse:
    the_framework = _framework(assessment)
    principles = the_framework.principles
    if not 1 <= number <= len(principles):
        return _message(
            request,
            title=_("There is no such page"),
            text=ngettext(
                "This self-assessment has %(count)d principle.",
                "This self-assessment has %(count)d principles.",
                len(principles),
            )
            % {"count": len(principles)},
            status=404,
            assessment=assessment,
            link=(_cookie_path(assessment.join_code), _("Go to the first page")),
        )
    principle = principles[number - 1]
    statements = list(the_framework.statements_of(principle))
    steps = _steps(assessment, principles)
    current = f"principle-{number}"
    if request.method == "POST":
        form = PrinciplePageForm(request.POST, principle=principle, statements=statements)
    else:
        saved, comment = answers.principle_answers(respondent, principle)
        initial = {answers.statement_field(pk): value for pk, value in saved.items()}
        initial["comment"] = comment
        form = PrinciplePageForm(initial=initial, principle=principle, statements=statements)
    context = _page_context(
        assessment, steps, current, principle=principle, principle_number=number
    )
    return _save_or_rerender(
        request,
        form,
        lambda: answers.save_principle_page(respondent, principle, form.answers()),
        steps,
        current,
        "assessments/participant/principle.html",
        context,
    )


@participant_page("participant_dimensions")
def participant_dimensions(
    request: HttpRequest, assessment: UnitAssessment, respondent: Respondent
) -> HttpResponse:
    the_framework = _framework(assessment)
    dimensions = list(the_framework.dimensions)
    steps = _steps(assessment, the_framework.principles)
    if request.method == "POST":
        form = DimensionsForm(request.POST, dimensions=dimensions)
    else:
        initial = {
            answers.dimension_field(pk, side): value
            for pk, sides in answers.dimension_answers(respondent).items()
            for side, value in sides.items()
            if value is not None
        }
        form = DimensionsForm(
            initial={k: str(v) for k, v in initial.items()}, dimensions=dimensions
        )
    return _save_or_rerender(
        request,
        form,
        lambda: answers.save_dimensions(respondent, form.answers()),
        steps,
        "dimensions",
        "assessments/participant/dimensions.html",
        _page_context(assessment, steps, "dimensions"),
    )


@participant_page("participant_balance")
def participant_balance(
    request: HttpRequest, assessment: UnitAssessment, respondent: Respondent
) -> HttpResponse:
    the_framework = _framework(assessment)
    steering = list(the_framework.steering)
    steps = _steps(assessment, the_framework.principles)
    if request.method == "POST":
        form = BalanceForm(request.POST, steering=steering)
    else:
        initial = {
            answers.balance_field(kind, key): value
            for kind, points in answers.balance_answers(respondent).items()
            for key, value in points.items()
        }
        form = BalanceForm(initial=initial, steering=steering)
    return _save_or_rerender(
        request,
        form,
        lambda: answers.save_balance(respondent, form.answers()),
        steps,
        "balance",
        "assessments/participant/balance.html",
        _page_context(assessment, steps, "balance", total=answers.BALANCE_TOTAL),
    )


@participant_page("participant_summary")
def participant_summary(
    request: HttpRequest, assessment: UnitAssessment, respondent: Respondent
) -> HttpResponse:
    steps = _steps(assessment, _framework(assessment).principles)
    if request.method == "POST":  # the progress list on this page: nothing to save
        return HttpResponseRedirect(_target(steps, "summary", request.POST.get("nav")).url)
    answers.mark_finished(respondent)
    progress = answers.progress(respondent, _framework(assessment))
    rows = [(steps[index], item) for index, item in enumerate(progress.principles)]
    states = [item.state for item in progress.principles]
    states += [progress.dimensions_state, progress.balance_state]
    pages_left = [
        {"step": step, "unanswered": state == answers.PageState.UNANSWERED}
        for step, state in zip(steps[:-1], states, strict=True)  # all but "Done"
        if state != answers.PageState.COMPLETE
    ]
    return render(
        request,
        "assessments/participant/summary.html",
        _page_context(
            assessment,
            steps,
            "summary",
            progress=progress,
            principle_rows=rows,
            pages_left=pages_left,
            dimensions_step=steps[-3],
            balance_step=steps[-2],
        ),
    )


urlpatterns = [
    path("delta/", join, name="join"),
    path("delta/<str:code>/", join_link, name="join_link"),
    path(
        "delta/<str:code>/princip/<int:number>/",
        participant_principle,
        name="participant_principle",
    ),
    path("delta/<str:code>/styrning/", participant_dimensions, name="participant_dimensions"),
    path("delta/<str:code>/balans/", participant_balance, name="participant_balance"),
    path("delta/<str:code>/klart/", participant_summary, name="participant_summary"),
]
