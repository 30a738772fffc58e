"""The language switcher, remembered for a signed-in person: their e-mails (reminders of
actions) are then written in the language they chose."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language as django_set_language

from ..models import LanguagePreference


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language``; a signed-in person's choice is also stored."""
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    known = {code for code, _name in settings.LANGUAGES}
    if request.user.is_authenticated and language in known:
        LanguagePreference.objects.update_or_create(
            user=request.user, defaults={"language": language}
        )
    return response
