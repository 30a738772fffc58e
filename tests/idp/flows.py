"""Walking through a local identity provider without a browser, as a browser would.

The provider's pages are fetched with requests (they run in another process); Tillit's pages
with the Django test client, whose host is "testserver". Nothing is mocked: the token
exchange and the signature checks happen between the two processes for real.
"""

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import requests

TILLIT = "http://testserver"


def hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[unescape(name.group(1))] = unescape(value.group(1) if value else "")
    return fields


def form_action(html: str, base: str) -> str:
    match = re.search(r'<form[^>]*action="([^"]*)"', html)
    return urljoin(base, unescape(match.group(1))) if match else base


def follow_to_tillit(session: requests.Session, response: requests.Response) -> str:
    """Follow the provider's redirects until one leads back to Tillit; return that path."""
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(TILLIT):
            parts = urlsplit(location)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        response = session.get(location, allow_redirects=False, timeout=10)
    raise AssertionError(f"the provider did not send us back: {response.status_code}")


def oidc_sign_in(client, person, *, start: str = "/konto/oidc/start/", before_callback=None):
    """Start at Tillit, sign in at the OIDC provider as `person`, come back; the last response.

    `before_callback(client)`, if given, runs just before the browser would come back.
    """
    started = client.get(start)
    assert started.status_code == 302, started.status_code
    session = requests.Session()
    login_page = session.get(started["Location"], timeout=10)  # redirected to its login form
    fields = hidden_fields(login_page.text)
    fields.update(username=person.username, password=person.password)
    answer = session.post(
        form_action(login_page.text, login_page.url),
        data=fields,
        allow_redirects=False,
        timeout=10,
    )
    callback = follow_to_tillit(session, answer)
    if before_callback:
        before_callback(client)
    return client.get(callback)


def saml_sign_in(client, person, *, start: str = "/konto/saml/login/", before_acs=None):
    """Start at Tillit, sign in at the SAML IdP as `person`, post its answer to Tillit's
    assertion consumer service as the browser's auto-submitting form would; the response.

    `before_acs(data)`, if given, may look at or change the posted fields first.
    """
    started = client.get(start)
    assert started.status_code == 302, started.status_code
    session = requests.Session()
    login_page = session.get(started["Location"], timeout=10)
    fields = hidden_fields(login_page.text)
    fields.update(username=person.username, password=person.password)
    answer = session.post(form_action(login_page.text, login_page.url), data=fields, timeout=10)
    acs = form_action(answer.text, answer.url)
    assert acs.startswith(TILLIT), acs
    data = hidden_fields(answer.text)
    if before_acs:
        before_acs(data)
    return client.post(urlsplit(acs).path, data)
