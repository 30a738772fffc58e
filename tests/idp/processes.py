"""Starting and stopping the local identity providers in a second process."""

import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

REPOSITORY = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30  # seconds; migrating the provider's database takes a few


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running(module: str, config: dict, directory: Path, ready_url: str) -> Iterator[None]:
    """Run `python -m module config.json` until the block ends; wait until ready_url answers."""
    config_path = directory / f"{module.rsplit('.', 1)[-1]}.json"
    config_path.write_text(json.dumps(config))
    log_path = directory / f"{module.rsplit('.', 1)[-1]}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module, str(config_path)],
            cwd=REPOSITORY,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{module} stopped: {log_path.read_text()}")
            try:
                if requests.get(ready_url, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{module} did not start: {log_path.read_text()}")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Person:
    """Someone known to a test identity provider."""

    username: str
    password: str
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class OIDCProvider:
    url: str
    client_id: str
    client_secret: str

    def endpoint(self, name: str) -> str:
        return f"{self.url}/openid/{name}"

    def settings(self) -> dict:
        """What Tillit's settings need to use this provider."""
        return {
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.endpoint("authorize"),
            "OIDC_OP_TOKEN_ENDPOINT": self.endpoint("token"),
            "OIDC_OP_USER_ENDPOINT": self.endpoint("userinfo"),
            "OIDC_OP_JWKS_ENDPOINT": self.endpoint("jwks"),
            "OIDC_OP_ISSUER": self.endpoint("").rstrip("/"),
        }


@contextlib.contextmanager
def oidc_provider(
    directory: Path, redirect_uris: list[str], people: list[Person]
) -> Iterator[OIDCProvider]:
    port = free_port()
    provider = OIDCProvider(
        url=f"http://localhost:{port}", client_id="tillit-test", client_secret="s3cret-for-tests"
    )
    config = {
        "port": port,
        "database": str(directory / "oidc-provider.sqlite3"),
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "redirect_uris": redirect_uris,
        "users": [person.__dict__ for person in people],
    }
    ready = provider.endpoint(".well-known/openid-configuration")
    with running("tests.idp.oidc_server", config, directory, ready):
        yield provider


@dataclass(frozen=True)
class SAMLIdentityProvider:
    url: str
    entity_id: str
    sp_settings: dict

    def settings(self) -> dict:
        """What Tillit's settings need to use this identity provider."""
        return dict(self.sp_settings)


@contextlib.contextmanager
def saml_identity_provider(
    directory: Path, tillit_url: str, people: list[Person], *, encrypt: bool = True
) -> Iterator[SAMLIdentityProvider]:
    """The pysaml2 IdP in a second process, and Tillit's SP settings for it.

    The IdP's metadata is written first, Tillit's SP metadata (for `tillit_url`) from it, and
    then the IdP starts knowing both. Keys and certificates are made for this run only.
    """
    from django.test import RequestFactory, override_settings
    from saml2.metadata import entity_descriptor

    from tests.idp import saml_idp
    from tests.idp.keys import make_key_and_certificate
    from tillit.sso.saml import config_loader

    port = free_port()
    idp_key, idp_cert = make_key_and_certificate(directory, "idp")
    sp_key, sp_cert = make_key_and_certificate(directory, "sp")
    idp_metadata = directory / "idp-metadata.xml"
    sp_metadata = directory / "sp-metadata.xml"
    config = {
        "port": port,
        "key_file": str(idp_key),
        "cert_file": str(idp_cert),
        "sp_metadata": str(sp_metadata),
        "encrypt": encrypt,
        "users": [person.__dict__ for person in people],
    }
    idp_metadata.write_text(saml_idp.metadata(config))
    sp_settings = {
        "SAML_IDP_METADATA_FILE": str(idp_metadata),
        "SAML_IDP_ENTITY_ID": saml_idp.entity_id(port),
        "SAML_SP_ENTITY_ID": f"{tillit_url}/konto/saml/metadata/",
        "SAML_KEY_FILE": str(sp_key),
        "SAML_CERT_FILE": str(sp_cert),
    }
    host = urlsplit(tillit_url).netloc
    with override_settings(ALLOWED_HOSTS=[urlsplit(tillit_url).hostname], **sp_settings):
        sp_config = config_loader(RequestFactory().get("/", HTTP_HOST=host))
        sp_metadata.write_text(str(entity_descriptor(sp_config)))
    ready = f"{saml_idp.base_url(port)}/metadata"
    with running("tests.idp.saml_idp", config, directory, ready):
        yield SAMLIdentityProvider(
            url=saml_idp.base_url(port), entity_id=saml_idp.entity_id(port), sp_settings=sp_settings
        )
