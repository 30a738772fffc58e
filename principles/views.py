from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessments import ratelimit
from tillit import clientip

from .forms import AccessibilityReportForm
from .i18n import PRIMARY, current_language
from .models import FrameworkVersion, TextKind


def framework(request: HttpRequest) -> HttpResponse:
    """The public page presenting the current published framework."""
    version = FrameworkVersion.objects.current()
    if version is None:
        raise Http404("No published framework version.")
    principles = version.principles.prefetch_related("statements", "questions")
    texts = list(version.supporting_texts.all())
    return render(
        request,
        "principles/framework.html",
        {
            "version": version,
            "principles": principles,
            "dimensions": version.dimensions.all(),
            "steering_principles": version.steering_principles.all(),
            "definition": next((t for t in texts if t.kind == TextKind.DEFINITION), None),
            "cornerstones": [t for t in texts if t.kind == TextKind.CORNERSTONE],
            "good_meeting": [t for t in texts if t.kind == TextKind.GOOD_MEETING],
            "reservations": [t for t in texts if t.kind == TextKind.RESERVATION],
            # Quotations are in Swedish; in another language the page shows a translation.
            "quoting_original": current_language() == PRIMARY,
        },
    )


def _page(request: HttpRequest, name: str, title: str, **context) -> HttpResponse:
    # Long prose is kept as one template per language rather than as hundreds of msgids.
    context.update(title=title, body_template=f"pages/{name}_{current_language()}.html")
    return render(request, "pages/page.html", context)


def guide(request: HttpRequest) -> HttpResponse:
    """Guidance for the manager: how to run the meeting, before, during and after."""
    return _page(request, "guide", _("How to run the self-assessment meeting"))


# Anyone may send the form, so what it sends is limited: a person with several problems to
# report fits in the limit per address, and the overall cap stops a flood from many addresses
# filling the service owner's mailbox (it stops only mail, never the use of the app).
REPORTS_PER_CLIENT = ratelimit.Limit("a11y-report-client", 5, 3600)
REPORTS_OVERALL = ratelimit.Limit("a11y-report-all", 30, 3600)
EVERYONE = "all"


def _report_limits(request: HttpRequest) -> list[tuple[ratelimit.Limit, str]]:
    return [
        (REPORTS_PER_CLIENT, clientip.client_ip(request) or "unknown"),
        (REPORTS_OVERALL, EVERYONE),
    ]


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (tillgänglighetsredogörelse) with a way to report problems."""
    form = AccessibilityReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        limits = _report_limits(request)
        if any(ratelimit.is_blocked(limit, identity) for limit, identity in limits):
            # The form comes back as typed, so nothing written is lost.
            form.add_error(
                None,
                _(
                    "Too many reports have been sent in the last hour, so this one was not "
                    "sent. What you wrote is kept below: send it again in an hour, or e-mail "
                    "it to %(email)s."
                )
                % {"email": settings.ACCESSIBILITY_CONTACT_EMAIL},
            )
            status = 429
        else:
            data = form.cleaned_data
            send_mail(
                subject=f"[Tillit] {_('Accessibility report')}",
                message=f"{data['page']}\n\n{data['description']}\n\n{data['email'] or '-'}",
                from_email=None,
                recipient_list=[settings.ACCESSIBILITY_CONTACT_EMAIL],
            )
            for limit, identity in limits:
                ratelimit.record(limit, identity)
            messages.success(request, _("Thank you. Your report has been sent."))
            return redirect("accessibility")
    response = _page(
        request,
        "accessibility",
        _("Accessibility statement"),
        form=form,
        contact_email=settings.ACCESSIBILITY_CONTACT_EMAIL,
        updated="2026-11-22",
    )
    response.status_code = status
    return response
