"""A small SAML 2 identity provider on pysaml2's saml2.server.Server, as a process:
`python -m tests.idp.saml_idp CONFIG`.

CONFIG is a JSON file: {"port", "key_file", "cert_file", "sp_metadata", "encrypt",
"users": [{"username", "password", "email", "first_name", "last_name"}]}. It takes
AuthnRequests by HTTP-Redirect at /sso/redirect, asks for a user name and password, and
answers by HTTP-POST with a signed response and assertion (the assertion encrypted for the
SP when "encrypt" is set), releasing eduPersonPrincipalName, mail, givenName and sn.
"""

import json
import shutil
import sys
from html import escape
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import AUTHN_PASSWORD_PROTECTED, NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT
from saml2.server import Server

SCOPE = "kommun.example"  # eduPersonPrincipalName is user name @ this scope


def base_url(port: int) -> str:
    return f"http://localhost:{port}"


def entity_id(port: int) -> str:
    return f"{base_url(port)}/metadata"


def idp_config(config: dict, *, with_metadata: bool = True) -> IdPConfig:
    base = base_url(config["port"])
    settings = {
        "entityid": entity_id(config["port"]),
        "xmlsec_binary": shutil.which("xmlsec1"),
        "service": {
            "idp": {
                "name": "Tillit test IdP",
                "endpoints": {
                    "single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]
                },
                "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
            }
        },
        "key_file": config["key_file"],
        "cert_file": config["cert_file"],
    }
    if with_metadata:
        settings["metadata"] = {"local": [config["sp_metadata"]]}
    idp = IdPConfig()
    idp.load(settings)
    return idp


def metadata(config: dict) -> str:
    """This IdP's metadata (needs no SP metadata, so the SP can be configured first)."""
    return str(entity_descriptor(idp_config(config, with_metadata=False)))


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test SAML identity provider</title></head>
<body><main><h1>Test SAML identity provider</h1>{error}
<form method="post" action="/sso/login">
<input type="hidden" name="SAMLRequest" value="{request}">
<input type="hidden" name="RelayState" value="{relay_state}">
<label for="idp-username">User name</label> <input id="idp-username" name="username">
<label for="idp-password">Password</label> <input id="idp-password" name="password" type="password">
<button type="submit">Sign in at the identity provider</button>
</form></main></body></html>"""


class IdentityProvider:
    def __init__(self, config: dict) -> None:
        self.server = Server(config=idp_config(config))
        self.config = config
        self.users = {person["username"]: person for person in config["users"]}

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/metadata":
            return self.respond(start_response, metadata(self.config), "text/xml")
        if path == "/sso/redirect":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
            return self.respond(start_response, self.login_page(query))
        if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode()
            form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
            return self.sign_in(start_response, form)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def respond(self, start_response, text: str, kind: str = "text/html"):
        start_response("200 OK", [("Content-Type", f"{kind}; charset=utf-8")])
        return [text.encode()]

    def login_page(self, form: dict, error: str = "") -> str:
        return LOGIN_PAGE.format(
            error=f'<p role="alert">{escape(error)}</p>' if error else "",
            request=escape(form["SAMLRequest"]),
            relay_state=escape(form.get("RelayState", "")),
        )

    def sign_in(self, start_response, form: dict):
        person = self.users.get(form.get("username", ""))
        if person is None or person["password"] != form.get("password"):
            return self.respond(
                start_response, self.login_page(form, "Wrong user name or password.")
            )
        request = self.server.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT)
        response_args = self.server.response_args(request.message, [BINDING_HTTP_POST])
        identity = {
            "eduPersonPrincipalName": [f"{person['username']}@{SCOPE}"],
            "mail": [person["email"]],
            "givenName": [person["first_name"]],
            "sn": [person["last_name"]],
        }
        response = self.server.create_authn_response(
            identity,
            userid=person["username"],
            authn={"class_ref": AUTHN_PASSWORD_PROTECTED},
            sign_response=True,
            sign_assertion=True,
            encrypt_assertion=bool(self.config.get("encrypt")),
            **response_args,
        )
        http = self.server.apply_binding(
            response_args["binding"],
            str(response),
            response_args["destination"],
            form.get("RelayState", ""),
            response=True,
        )
        return self.respond(start_response, http["data"])


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


def main(config_path: str) -> None:
    with open(config_path) as file:
        config = json.load(file)
    server = make_server(
        "localhost",
        config["port"],
        IdentityProvider(config),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
