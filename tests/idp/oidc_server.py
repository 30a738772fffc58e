"""The test OpenID Connect provider as a process: `python -m tests.idp.oidc_server CONFIG`.

CONFIG is a JSON file: {"port", "database", "client_id", "client_secret", "redirect_uris",
"users": [{"username", "password", "email", "first_name", "last_name"}]}. The provider
migrates its own SQLite database, makes an RSA signing key, registers Tillit as a
confidential client that needs no consent screen, and serves until it is stopped.
"""

import json
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


def main(config_path: str) -> None:
    with open(config_path) as file:
        config = json.load(file)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.idp.oidc_settings"
    os.environ["IDP_DATABASE"] = config["database"]
    os.environ["IDP_SITE_URL"] = f"http://localhost:{config['port']}"

    import django

    django.setup()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oidc_provider.models import Client, ResponseType, RSAKey

    call_command("migrate", verbosity=0)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    RSAKey.objects.create(
        key=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    )
    client = Client.objects.create(
        name="Tillit",
        client_type="confidential",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        jwt_alg="RS256",
        require_consent=False,
        redirect_uris=config["redirect_uris"],
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    for person in config["users"]:
        get_user_model().objects.create_user(**person)

    server = make_server(
        "localhost",
        config["port"],
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
