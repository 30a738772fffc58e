"""`/healthz`: for load balancers and monitoring, and the floor view of the load benchmark.

It answers 200 "ok" when this node can reach the database and the cache, 503 naming what is
down otherwise. It reads no session and sets no cookie, so a balancer polling it every second
writes nothing anywhere.
"""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

CACHE_KEY = "tillit:healthz"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _cache_ok() -> bool:
    try:
        cache.set(CACHE_KEY, "ok", timeout=10)
        return cache.get(CACHE_KEY) == "ok"
    except Exception:  # each cache backend raises its own connection errors
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    down = [name for name, ok in (("database", _database_ok()), ("cache", _cache_ok())) if not ok]
    if down:
        return HttpResponse(
            "unavailable: " + ", ".join(down), status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")
