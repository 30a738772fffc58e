"""Project-wide request and response rules."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """A NUL character in the query string is refused with a 400 page.

    PostgreSQL cannot hold NUL in text, so a search term or list filter carrying one would
    otherwise end in a server error deep inside a query (admin change lists, autocomplete).
    Form fields refuse NUL themselves (Django's CharField does), beside the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            reason = _("The address contains a character that is not allowed (NUL).")
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing Tillit generates is kept in a browser's or proxy's cache, unless a view says so.

    Pages show answers, comments, agreements and figures, often on a shared projector laptop:
    after logging out, the back button or the cache must not bring them back. Static files
    never reach this (WhiteNoise answers them earlier, with their own long cache headers).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
