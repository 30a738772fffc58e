"""Files made for one person (exports of scoped data): sent as attachments, never cached."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.text import slugify


def attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def file_name(words: dict[str, str], language: str | None, *parts: str, extension: str) -> str:
    """``<word>-<parts…>.<extension>``, slugified (ASCII, no spaces), the word in ``language``.

    ``words`` names the kind of file per language code ("sv", "en"): fixed per language rather
    than translated, like the app's URL paths, so that a script that downloads a file keeps
    its name whatever the catalogue. A language without a word gets the site's default.
    """
    code = (language or settings.LANGUAGE_CODE).split("-")[0]
    word = words.get(code) or words[settings.LANGUAGE_CODE.split("-")[0]]
    return f"{slugify('-'.join([word, *parts])) or word}.{extension}"
