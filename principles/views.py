from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

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
        },
    )
