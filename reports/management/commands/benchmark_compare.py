"""Time the comparison page for the generated organisation: python manage.py benchmark_compare.

Each measurement runs in a fresh Python process started the way a web worker starts (it
loads ``tillit.wsgi`` and nothing else), so that its first request is a real cold one:

* **cold**: that first request, with its own new database connection, empty template and
  translation caches and the URL configuration not yet loaded;
* **warm**: the same request repeated in the same process;
* **floor**: ``build_comparison`` alone, the data the page stands on (no view, template or
  middleware): no page can be quicker than this.

The page goes through Django's test client (middleware, view, template: everything but the
network) as the generated quality developer. Settings are the production ones except that
static files come from the finders (no ``collectstatic`` needed), as in the test suite.

Wall-clock time depends on what else the machine is doing, so the command also prints the
CPU time the request took in the web process and, when PostgreSQL runs on the same machine,
in its server process (read from /proc): together, what one request costs on an idle
machine. Module-level imports stay few: a cold process must not load what the page loads.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Measure the comparison view on the generated organisation (see generate_org)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=7, help="Warm requests per process.")
        parser.add_argument(
            "--processes", type=int, default=3, help="Fresh processes (cold requests)."
        )
        parser.add_argument("--unit", default=None, help="Code of the part of the tree to compare.")
        parser.add_argument(
            "--warm-up",
            action="store_true",
            help="Run assessments.views.compare.warm_up() when the process starts, as a worker "
            "would with it wired into tillit/wsgi.py.",
        )

    def handle(self, *args, **options) -> None:
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.urls import reverse

        from assessments import generate
        from assessments.models import Round, Unit, UnitAssessment

        root = generate.generated_root()
        node = Unit.objects.filter(code=options["unit"] or generate.ROOT_CODE).first()
        if node is None or root is None:
            raise CommandError("No generated organisation: run `manage.py generate_org` first.")
        round_ = Round.objects.filter(root=root).order_by("-pk").first()
        user = get_user_model().objects.get(username=generate.QUALITY_DEVELOPER)
        units = UnitAssessment.objects.filter(
            round=round_, unit__path__startswith=node.path
        ).count()
        # Groups of units straight under the node (its departments), not single units.
        departments = node.get_children().filter(numchild__gt=0).count()
        url = reverse("compare", args=[round_.pk, node.pk])

        results = []
        for _ in range(options["processes"]):
            results.append(
                _run_probe(url, user.pk, round_.pk, node.pk, options["runs"], options["warm_up"])
            )

        def ms(values: list[float]) -> str:
            return f"{statistics.median(values):6.0f}  [{min(values):.0f}–{max(values):.0f}]".ljust(
                22
            )

        cold = [r["cold"]["ms"] for r in results]
        cold_cpu = [r["cold"]["cpu_ms"] for r in results]
        cold_db = [r["cold"]["db_ms"] for r in results]
        warm = [ms_ for r in results for ms_ in r["warm"]["ms"]]
        warm_cpu = [v for r in results for v in r["warm"]["cpu_ms"]]
        warm_db = [v for r in results for v in r["warm"]["db_ms"]]
        floor = [v for r in results for v in r["floor"]["ms"]]
        floor_cpu = [v for r in results for v in r["floor"]["cpu_ms"]]
        floor_db = [v for r in results for v in r["floor"]["db_ms"]]
        first = results[0]
        db_readable = any(warm_db)

        def cpu(app: list[float], db: list[float]) -> str:
            text = f"{statistics.median(app):5.0f}"
            return text + (f" + {statistics.median(db):3.0f}" if db_readable else "")

        size = first["warm"]["bytes"]
        lines = [
            f"{connection.vendor}: {node.name} ({units} units"
            + (f" in {departments} departments" if departments else "")
            + f"), round “{round_.name}”; {options['processes']} fresh processes × "
            f"{options['runs']} warm runs" + ("; warm_up() at start" if options["warm_up"] else ""),
            f"  GET {url}",
            "                      wall ms median [min–max]   CPU ms (app"
            + (" + database)" if db_readable else ")")
            + "   queries   HTML",
            f"  cold (1st request)  {ms(cold)}     {cpu(cold_cpu, cold_db):14}"
            f"{first['cold']['queries']:5}     {first['cold']['bytes'] / 1024:.0f} KiB",
            f"  warm                {ms(warm)}     {cpu(warm_cpu, warm_db):14}"
            f"{first['warm']['queries']:5}     {size / 1024:.0f} KiB",
            f"  floor (data alone)  {ms(floor)}     {cpu(floor_cpu, floor_db):14}"
            f"{first['floor']['queries']:5}",
            f"  ratios (medians): cold/warm {statistics.median(cold) / statistics.median(warm):.2f}"
            f", warm/floor {statistics.median(warm) / statistics.median(floor):.2f}"
            f"; app CPU cold/warm "
            f"{statistics.median(cold_cpu) / statistics.median(warm_cpu):.2f}",
            f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        ]
        if any(r["url_conf_preloaded"] for r in results) and not options["warm_up"]:
            lines.append("  note: the URL configuration was loaded before the first request")
        if not options["warm_up"]:
            loaded = [r["url_conf_ms"] for r in results]
            lines.append(
                f"  of the cold request, loading the URL configuration (every view module): "
                f"median {statistics.median(loaded):.0f} ms"
            )
        self.stdout.write("\n".join(lines))


def _run_probe(url: str, user_pk: int, round_pk: int, node_pk: int, runs: int, warm: bool) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tillit.settings",
        # Production settings, but static files from the finders and no secret needed.
        "TILLIT_TESTING": "1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
    }
    args = [url, str(user_pk), str(round_pk), str(node_pk), str(runs), "1" if warm else "0"]
    code = "from reports.management.commands.benchmark_compare import probe; probe()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise CommandError(f"The measuring process failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def probe() -> None:
    """In a fresh process: what a web worker has loaded, then the page cold, warm, and the
    data alone. Prints one line of JSON."""
    url, user_pk, round_pk, node_pk, runs, warm = sys.argv[1:7]
    started_up = time.perf_counter()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import tillit.wsgi  # noqa: F401  (what gunicorn loads before a worker's first request)

    startup_ms = (time.perf_counter() - started_up) * 1000
    user = get_user_model().objects.get(pk=int(user_pk))
    client = Client()
    # A worker's handler loads its middleware when it starts (WSGIHandler()); the test
    # client's does so on its first request unless told to now.
    client.handler.load_middleware()
    client.force_login(user)
    url_conf_preloaded = "tillit.urls" in sys.modules
    if warm == "1":
        from assessments.views.compare import warm_up

        warm_up()
    connection.close()  # the first request opens its own connection, as after a restart

    def measure(call, *, cold: bool = False) -> tuple[float, float, float, int, object]:
        # Cold, the connection opens during the request: its server process's whole CPU
        # time is the request's. Warm, the difference before and after.
        server = None if cold else _server_cpu(connection)
        db_before = 0.0 if server is None else server()
        with CaptureQueriesContext(connection) as captured:
            app_before = time.process_time()
            started = time.perf_counter()
            result = call()
            wall = (time.perf_counter() - started) * 1000
            app = (time.process_time() - app_before) * 1000
        db = ((server or _server_cpu(connection))() - db_before) * 1000
        return wall, app, db, len(captured), result

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"The page answered {response.status_code}.")
        return response

    wall, app, db, queries, response = measure(page, cold=True)
    cold = {"ms": wall, "cpu_ms": app, "db_ms": db, "queries": queries, "bytes": 0}
    cold["bytes"] = len(response.content)
    url_conf_ms = 0.0
    if warm != "1":
        # How much of the cold request was loading the URL configuration: import it again
        # in a throwaway child and time that alone.
        url_conf_ms = _time_url_conf()

    warm = {"ms": [], "cpu_ms": [], "db_ms": [], "queries": 0, "bytes": 0}
    for _ in range(int(runs)):
        wall, app, db, queries, response = measure(page)
        warm["ms"].append(wall)
        warm["cpu_ms"].append(app)
        warm["db_ms"].append(db)
        warm["queries"], warm["bytes"] = queries, len(response.content)

    from django.utils import translation

    from assessments.models import Round, Unit
    from reports.comparison import build_comparison

    round_ = Round.objects.get(pk=int(round_pk))
    node = Unit.objects.get(pk=int(node_pk))
    floor = {"ms": [], "cpu_ms": [], "db_ms": [], "queries": 0}
    with translation.override(settings.LANGUAGE_CODE):
        for _ in range(int(runs)):
            fresh = get_user_model().objects.get(pk=user.pk)  # no roles cached on it
            wall, app, db, queries, _data = measure(
                lambda fresh=fresh: build_comparison(fresh, round_, node)
            )
            floor["ms"].append(wall)
            floor["cpu_ms"].append(app)
            floor["db_ms"].append(db)
            floor["queries"] = queries
    print(
        json.dumps(
            {
                "startup_ms": startup_ms,
                "url_conf_preloaded": url_conf_preloaded,
                "url_conf_ms": url_conf_ms,
                "cold": cold,
                "warm": warm,
                "floor": floor,
            }
        )
    )


def _time_url_conf() -> float:
    code = (
        "import os, time; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tillit.settings');"
        "import tillit.wsgi; from django.urls import get_resolver; t = time.perf_counter();"
        "get_resolver().url_patterns; print((time.perf_counter() - t) * 1000)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def _server_cpu(connection):
    """A function giving the CPU seconds used so far by this connection's server process."""
    if connection.vendor != "postgresql":
        return lambda: 0.0
    connection.ensure_connection()
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
