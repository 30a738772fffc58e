"""The page for a request that could not be read (400), with the site's menu and language."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Too many fields, a malformed body or host: say so in words, never a bare "Bad Request".

    Rendered with the request, so a logged-in person keeps their menu. Should the request be
    too broken even for that, Django's own handler renders the same template without it.
    """
    try:
        return render(request, "400.html", status=400)
    except Exception:
        return defaults.bad_request(request, exception)
