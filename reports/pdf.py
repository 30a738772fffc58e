"""HTML to PDF with WeasyPrint, fetching nothing but inline data and the app's own static files.

Report HTML holds text that administrators and participants wrote. WeasyPrint's default
fetcher would follow any URL in it — ``file:///etc/passwd``, an internal HTTP service, a
tracking pixel — so rendering goes through :class:`SafeURLFetcher`, which serves only
``data:`` URIs and files found by Django's static files finders, and refuses the rest. No
request ever leaves the process.

WeasyPrint 70 no longer accepts a plain function as ``url_fetcher``: it must be a
``weasyprint.urls.URLFetcher`` (its error path reads ``url_fetcher._fail_on_errors``) and
must return a ``URLFetcherResponse``. :func:`safe_url_fetcher` holds the rules as a plain
function; :class:`SafeURLFetcher` plugs them into WeasyPrint.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in the report HTML (``{% static %}`` gives "/static/…") need a base URL to
# resolve against. This origin can never be reached (RFC 6761 reserves .invalid); the fetcher
# maps its static paths to files on disk.
INTERNAL_BASE_URL = "http://tillit.invalid/"
INTERNAL_ORIGIN = "http://tillit.invalid"

# Archival and accessible at once: PDF/A-2u (fonts embedded, sRGB output intent, XMP
# metadata, every glyph mapped to Unicode), tagged for screen readers with the PDF/UA-1
# identification beside PDF/A's in the XMP (lag om tillgänglighet till digital offentlig
# service applies to published PDFs too). WeasyPrint has one variant at a time: it writes
# PDF/A's part, ArchivalMetadata adds PDF/UA's.
PDF_VARIANT = "pdf/a-2u"
PDF_UA_PART = 1
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"


class ArchivalMetadata(DocumentMetadata):
    """WeasyPrint's metadata, with ``pdfuaid:part`` added to the XMP's identification."""

    def generate_rdf_metadata(self, variant, version, conformance):
        rdf = ElementTree.fromstring(super().generate_rdf_metadata(variant, version, conformance))
        description = rdf.find(f"{_RDF}Description")
        description.set(f"{_PDFUAID}part", str(PDF_UA_PART))
        return ElementTree.tostring(rdf, encoding="utf-8")


class RefusedURLError(ValueError):
    """The report asked for a resource it may not load."""


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _static_name(url: str, origins: tuple[str, ...]) -> str | None:
    """The static file name ``url`` points at, or None if it is no static URL of ours."""
    static_url = settings.STATIC_URL
    prefixes = [static_url]
    if static_url.startswith("/"):
        prefixes += [origin + static_url for origin in origins]
    rest = next((url[len(p) :] for p in prefixes if url.startswith(p)), None)
    if rest is None:
        return None
    # Drop a query or fragment by hand: urlsplit would read "a:b" as a scheme.
    name = unquote(rest.split("?", 1)[0].split("#", 1)[0])
    parts = name.replace("\\", "/").split("/")
    if not name or name.startswith("/") or "\x00" in name or ".." in parts or ":" in parts[0]:
        raise RefusedURLError(f"Refused to load {url!r}: not a plain static file path.")
    return name


def _static_file(name: str) -> Path | None:
    """A static file by name: the finders first (development, tests), then the storage.

    In production the storage holds the hashed names that ``{% static %}`` produces after
    collectstatic, which the finders do not know.
    """
    found = finders.find(name)
    if found:
        return Path(found)
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation):
        pass
    return None


def safe_url_fetcher(
    url: str,
    timeout: float = 10,
    ssl_context: object | None = None,
    *,
    origins: tuple[str, ...] = (INTERNAL_ORIGIN,),
) -> URLFetcherResponse:
    """Serve ``data:`` URIs and the app's static files; refuse every other URL.

    Static files are URLs starting with ``settings.STATIC_URL`` or with one of ``origins``
    followed by it, resolved through the static files finders and read from disk. Anything
    else — ``file:``, ``http(s):`` elsewhere, ``ftp:``, paths with ``..`` — raises
    :class:`RefusedURLError` (a ``ValueError``), which WeasyPrint logs and skips.

    ``timeout`` and ``ssl_context`` mirror WeasyPrint's own fetcher; nothing here uses the
    network, so they are unused.
    """
    if url[:5].lower() == "data:":
        with DataHandler().data_open(Request(url)) as response:
            return URLFetcherResponse(
                url, response.read(), {"Content-Type": response.headers["Content-Type"]}
            )
    name = _static_name(url, origins)
    if name is None:
        raise RefusedURLError(
            f"Refused to load {url!r}: reports may only use data: URIs and the app's own "
            "static files."
        )
    path = _static_file(name)
    if path is None:
        raise FileNotFoundError(f"No static file {name!r}.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type == "text/css":
        content_type += "; charset=utf-8"
    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


class SafeURLFetcher(URLFetcher):
    """WeasyPrint fetcher applying :func:`safe_url_fetcher`'s rules.

    ``base_url`` adds the origin the report's relative URLs resolve against, so its
    ``/static/…`` paths are served from disk too (never over the network).
    """

    def __init__(self, base_url: str | None = None, **kwargs: object) -> None:
        # Only data: for the inherited urllib machinery, in case anything reaches it.
        kwargs.setdefault("allowed_protocols", ("data",))
        kwargs.setdefault("allow_redirects", False)
        super().__init__(**kwargs)
        origins = {INTERNAL_ORIGIN}
        if base_url:
            origins.add(_origin(base_url))
        self.origins = tuple(sorted(origin for origin in origins if origin))

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        return safe_url_fetcher(url, origins=self.origins)


def render_pdf(html: str, *, base_url: str | None = None, title: str, language: str) -> bytes:
    """Render report HTML to PDF/A-2u, tagged for PDF/UA-1, with ``title`` and ``language``.

    ``base_url`` is what relative links resolve against; pass the site's absolute URL (e.g.
    ``request.build_absolute_uri("/")``) so links in the PDF work, or leave it out.
    """
    base = base_url or INTERNAL_BASE_URL
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True}
    document = HTML(string=html, base_url=base, url_fetcher=SafeURLFetcher(base)).render(**options)
    document.metadata.__class__ = ArchivalMetadata
    # The caller's title and language win over whatever the HTML said: PDF/UA needs both.
    document.metadata.title = title
    document.metadata.lang = language
    return document.write_pdf(**options)
