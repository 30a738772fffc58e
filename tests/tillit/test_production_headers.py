"""A production-mode gunicorn behind a TLS proxy: HTTPS redirect, HSTS and no-store on the wire."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TILLIT_TESTING"}}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('db') / 'unused.sqlite3'}",
        WEB_CONCURRENCY="1",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        ALLOWED_HOSTS="127.0.0.1",
    )
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode())
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    # The port opens before the worker has loaded Django: on a busy machine that takes a while.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_it_redirects_plain_http_to_https(server):
    response = get(server, "/ingen-sida/")
    assert response.status == 301
    assert response.getheader("Location") == f"https://127.0.0.1:{server}/ingen-sida/"


def test_it_sends_hsts_and_no_store_when_the_proxy_says_https(server):
    response = get(server, "/ingen-sida/", {"X-Forwarded-Proto": "https"})
    assert response.status == 404
    assert response.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains"
    )
    assert "no-store" in response.getheader("Cache-Control")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy") == "same-origin"
    policy = response.getheader("Content-Security-Policy")
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_it_ignores_a_forwarded_proto_it_was_not_told_to_trust(server):
    response = get(server, "/ingen-sida/", {"X-Forwarded-Protocol": "https"})
    assert response.status == 301
