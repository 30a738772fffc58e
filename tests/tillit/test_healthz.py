"""`/healthz` tells a load balancer whether this node can serve, and writes nothing."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_answers_ok_with_one_query_and_no_cookie(django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_it_answers_over_plain_http_when_everything_else_redirects(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/ramverk/").status_code == 301


def test_it_says_503_and_what_is_down_when_the_cache_is_unreachable(settings):
    # A real Redis client against a port nothing listens on: the connection is refused.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable: cache"


def test_it_refuses_a_post():
    assert Client().post("/healthz").status_code == 405
