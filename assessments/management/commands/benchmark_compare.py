"""Time the comparison page for the generated organisation: python manage.py benchmark_compare.

Requests the page through Django's test client (middleware, view, template: everything but
the network) as the generated quality developer, several times, and prints the median and
range in milliseconds and the number of queries per request.

Wall-clock time depends on what else the machine is doing, so the command also prints the
CPU time the request took in this process and, when PostgreSQL runs on the same machine, in
its server process (read from /proc): together, what one request costs on an idle machine.
"""

import os
import statistics
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import generate
from assessments.comparison import build_comparison
from assessments.models import Round, Unit


class Command(BaseCommand):
    help = "Measure the comparison view on the generated organisation (see generate_org)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument(
            "--unit", default=generate.ROOT_CODE, help="Code of the part of the tree to compare."
        )

    def handle(self, *args, **options) -> None:
        node = Unit.objects.filter(code=options["unit"]).first()
        root = generate.generated_root()
        if node is None or root is None:
            raise CommandError("No generated organisation: run `manage.py generate_org` first.")
        round_ = Round.objects.filter(root=root).order_by("-pk").first()
        user = get_user_model().objects.get(username=generate.QUALITY_DEVELOPER)
        units = Unit.objects.filter(path__startswith=node.path, assessments__round=round_).count()
        url = reverse("compare", args=[round_.pk, node.pk])

        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            client = Client()
            client.force_login(user)
            client.get(url)  # warm up: templates compiled, connection open
            server = _server_cpu()
            page_ms, app_ms, db_ms, queries, size = [], [], [], [], 0
            for _ in range(options["runs"]):
                with CaptureQueriesContext(connection) as captured:
                    db_before, app_before = server(), time.process_time()
                    started = time.perf_counter()
                    response = client.get(url)
                    page_ms.append((time.perf_counter() - started) * 1000)
                    app_ms.append((time.process_time() - app_before) * 1000)
                    db_ms.append((server() - db_before) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"The page answered {response.status_code}.")
                queries.append(len(captured))
                size = len(response.content)

            data_ms = []
            for _ in range(options["runs"]):
                fresh = get_user_model().objects.get(pk=user.pk)
                started = time.perf_counter()
                build_comparison(fresh, round_, node)
                data_ms.append((time.perf_counter() - started) * 1000)

        self.stdout.write(
            f"{connection.vendor}: {node.name} ({units} units), round “{round_.name}”, "
            f"{options['runs']} runs\n"
            f"  page (GET {url}): median {statistics.median(page_ms):.0f} ms, "
            f"min {min(page_ms):.0f} ms, max {max(page_ms):.0f} ms; "
            f"{statistics.median(queries):.0f} queries per request "
            f"(session and user included); {size / 1024:.0f} KiB of HTML\n"
            f"  data only (build_comparison): median {statistics.median(data_ms):.0f} ms, "
            f"min {min(data_ms):.0f} ms, max {max(data_ms):.0f} ms\n"
            f"  CPU per request: app median {statistics.median(app_ms):.0f} ms"
            + (
                f" + database median {statistics.median(db_ms):.0f} ms"
                if any(db_ms)
                else " (database CPU not readable here)"
            )
            + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )


def _server_cpu():
    """A function giving the CPU seconds used so far by this connection's server process."""
    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the database runs elsewhere
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks

    return read
