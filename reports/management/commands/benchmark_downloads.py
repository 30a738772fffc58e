"""Time downloads of a stored report against a running server, beside a bare floor view.

    python manage.py benchmark_downloads --base-url http://127.0.0.1:8741 --requests 200
    python manage.py benchmark_downloads --base-url … --concurrency 4 --seconds 60   # as load

Logs in as the unit's manager by making a session in the server's database (this command
uses the same DATABASE_URL), makes sure the report is stored (rendering it here, not in the
server, if needed), then sends ``--requests`` GETs of the PDF and as many of the floor
(``/healthz``) with the same client, one connection per worker thread, and prints p50, p95,
p99 and the ratio. With ``--seconds`` it downloads for that long instead (``--concurrency``
at a time) and prints what it did: run it beside ``scripts/loadtest.py`` to see what four
managers downloading reports cost the participants' saves.
"""

import http.client
import statistics
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from assessments.models import AssessmentState, Role, RoleKind, UnitAssessment
from reports import stored
from reports.models import ReportState


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Time downloads of a stored unit report against a running server (and the floor)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", required=True)
        parser.add_argument("--assessment", type=int, help="A completed assessment's id.")
        parser.add_argument("--requests", type=int, default=200)
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument("--seconds", type=float, help="Download for this long instead.")
        parser.add_argument("--floor", default="/healthz")

    def handle(self, *args, **options) -> None:
        assessment = self._assessment(options["assessment"])
        role = Role.objects.filter(unit=assessment.unit, kind=RoleKind.MANAGER).first()
        if role is None:
            raise CommandError("The assessment's unit has no manager to download as.")
        row = stored.wanted(
            assessment,
            language=stored.default_language(),
            audience=stored.AUDIENCE_UNIT,
            queue=False,
        )
        if row.state != ReportState.READY:
            row = stored.render(row.pk)
        if row.state != ReportState.READY:
            raise CommandError(f"The report could not be rendered: {row.error}")
        cookie = f"{settings.SESSION_COOKIE_NAME}={self._session(role.user)}"
        pdf = reverse("unit_report_pdf", args=[assessment.pk]) + "?lang=" + row.language
        base = urlsplit(options["base_url"])
        size = row.file.size
        if options["seconds"]:
            times = self._run(base, pdf, cookie, options, until=options["seconds"])
            self._print("report downloads (as load)", times, size)
            return
        self.stdout.write(f"assessment {assessment.pk}, stored report {size / 1024:.0f} KiB")
        self._run(base, pdf, cookie, {**options, "requests": 10})  # warm-up
        downloads = self._run(base, pdf, cookie, options)
        floor = self._run(base, options["floor"], "", options)
        self._print("stored report download", downloads, size)
        self._print(f"floor {options['floor']}", floor, 0)
        ratio = _percentile(downloads, 0.95) / _percentile(floor, 0.95)
        self.stdout.write(f"p95 download / p95 floor: {ratio:.2f}")

    def _assessment(self, pk: int | None) -> UnitAssessment:
        completed = UnitAssessment.objects.filter(state=AssessmentState.COMPLETED)
        found = completed.filter(pk=pk).first() if pk else completed.order_by("pk").first()
        if found is None:
            raise CommandError("No completed assessment (give --assessment).")
        return found

    def _session(self, user) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        # The local password backend, as after a login with the form.
        session[BACKEND_SESSION_KEY] = next(
            b for b in settings.AUTHENTICATION_BACKENDS if "Password" in b or "Model" in b
        )
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    def _run(self, base, path: str, cookie: str, options: dict, until: float | None = None):
        times: list[float] = []
        lock = threading.Lock()
        count = iter(range(options["requests"])) if until is None else None
        deadline = time.monotonic() + until if until else None

        def worker() -> None:
            connection = http.client.HTTPConnection(base.hostname, base.port or 80, timeout=60)
            headers = {"Cookie": cookie} if cookie else {}
            while True:
                if deadline is not None:
                    if time.monotonic() >= deadline:
                        break
                else:
                    with lock:
                        if next(count, None) is None:
                            break
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                took = time.perf_counter() - started
                if response.status != 200:
                    where = response.getheader("Location", "")
                    raise CommandError(f"{path} answered {response.status} {where}")
                with lock:
                    times.append(took)
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(options["concurrency"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return times

    def _print(self, label: str, times: list[float], size: int) -> None:
        ms = [t * 1000 for t in times]
        self.stdout.write(
            f"{label}: {len(ms)} requests, p50 {statistics.median(ms):.1f} ms, "
            f"p95 {_percentile(ms, 0.95):.1f} ms, p99 {_percentile(ms, 0.99):.1f} ms, "
            f"max {max(ms):.1f} ms" + (f", {size / 1024:.0f} KiB each" if size else "")
        )
