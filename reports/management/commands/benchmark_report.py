"""Time one unit's balance report as a PDF, and WeasyPrint's share of that time.

    python manage.py benchmark_report                      # sample data, rolled back after
    python manage.py benchmark_report --assessment 12 --runs 10 --lang en

Three timings over ``--runs`` runs (median and max, wall clock, and the median CPU time),
after one warm-up run that loads fonts and compiles templates, and the ratio of the whole to
WeasyPrint alone (aim: at most 1.05). The whole and WeasyPrint alone run in turns:

* the whole PDF: ``render_unit_report_pdf`` as the views and the batch export call it;
* WeasyPrint alone: ``render_pdf`` on the same HTML, already made;
* the app's own part: building the report data, drawing the charts, rendering templates.

Without ``--assessment`` it builds a realistic sample — the framework of
``fixtures/framework.json``, ``--respondents`` varied answers, agreements, actions and a
previous round — with the test factories (``tests/factories_reports.py``, so run it from a
checkout) inside a transaction that it rolls back, leaving the database as it was.
"""

import statistics
import time
from types import SimpleNamespace

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from assessments.models import UnitAssessment
from reports.pdf import render_pdf
from reports.unit_report import render_parts_for_benchmark, render_unit_report_pdf

LANGUAGES = [code for code, _name in settings.LANGUAGES]


class _Rollback(Exception):
    """Raised to undo the sample data once measured."""


def _sample_assessment(respondents: int) -> UnitAssessment:
    try:
        from tests.factories import make_unit
        from tests.factories_reports import make_report_scenario
    except ImportError as error:  # pragma: no cover - only without the tests package
        raise CommandError(
            "The sample data come from tests/factories_reports.py; run from a checkout, or "
            "pass --assessment with the id of a completed assessment."
        ) from error
    org = SimpleNamespace()
    org.root = make_unit("BENCH-ORG", "Exempelkommun", kind="organisation")
    org.dep_a = make_unit(
        "BENCH-DEP", "Vård- och omsorgsförvaltningen", parent=org.root, kind="department"
    )
    org.a1 = make_unit("BENCH-A1", "Hemtjänst Norr", parent=org.dep_a)
    org.a2 = make_unit("BENCH-A2", "Hemtjänst Söder", parent=org.dep_a)
    return make_report_scenario(org, respondents=respondents).assessment


def _timed(function, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run (CPU time shows less of a busy machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def _pages(data: bytes) -> str:
    try:
        import io

        from pypdf import PdfReader
    except ImportError:  # pypdf is a development dependency
        return "?"
    return str(len(PdfReader(io.BytesIO(data)).pages))


class Command(BaseCommand):
    help = "Time one unit's PDF balance report: the whole, WeasyPrint alone, the app's part."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assessment", type=int, help="A completed assessment's id.")
        parser.add_argument("--runs", type=int, default=10, help="Timed runs (default 10).")
        parser.add_argument("--lang", default="sv", choices=LANGUAGES)
        parser.add_argument(
            "--respondents", type=int, default=12, help="Respondents in the sample data."
        )

    def handle(self, *args, **options) -> None:
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1.")
        if options["assessment"]:
            assessment = UnitAssessment.objects.filter(pk=options["assessment"]).first()
            if assessment is None:
                raise CommandError(f"No assessment with the id {options['assessment']}.")
            self._measure(assessment, options)
            return
        try:
            with transaction.atomic():
                self._measure(_sample_assessment(options["respondents"]), options)
                raise _Rollback
        except _Rollback:
            self.stdout.write("Sample data rolled back.")

    def _measure(self, assessment: UnitAssessment, options: dict) -> None:
        runs, language = options["runs"], options["lang"]

        def whole() -> bytes:
            return render_unit_report_pdf(assessment, language=language)

        def app() -> tuple[str, str]:
            return render_parts_for_benchmark(assessment, language=language)

        data = whole()  # warm-up: fonts, templates, WeasyPrint's caches
        with CaptureQueriesContext(connection) as queries:
            html, title = app()

        def weasyprint_alone() -> bytes:
            return render_pdf(html, title=title, language=language)

        # Whole and WeasyPrint alone take turns, run by run, so that a machine growing busier
        # or quieter during the measurement weighs on both alike.
        timings = {"whole": ([], []), "weasyprint": ([], [])}
        for _ in range(runs):
            for key, function in (("whole", whole), ("weasyprint", weasyprint_alone)):
                wall, cpu = _timed(function, 1)
                timings[key][0].extend(wall)
                timings[key][1].extend(cpu)
        timings["app"] = _timed(app, runs)
        pages = _pages(data)
        self.stdout.write(
            f"Balance report of {assessment.unit} – {assessment.round}: "
            f"{assessment.respondents.count()} respondents, {len(data) / 1024:.0f} KiB, "
            f"{pages} pages; {runs} runs, language {language}, "
            f"{len(queries.captured_queries)} SQL queries per report."
        )
        self.stdout.write(f"{'':44}{'median':>9}{'max':>9}{'CPU median':>12}")
        rows = (
            ("Whole PDF (render_unit_report_pdf)", timings["whole"]),
            ("WeasyPrint alone, same HTML (render_pdf)", timings["weasyprint"]),
            ("App's part (data, charts, templates)", timings["app"]),
        )
        for label, (wall, cpu) in rows:
            self.stdout.write(
                f"{label:44}{statistics.median(wall):8.2f}s{max(wall):8.2f}s"
                f"{statistics.median(cpu):11.2f}s"
            )
        share = statistics.median(timings["app"][0]) / statistics.median(timings["whole"][0])
        self.stdout.write(f"The app's part is {share:.0%} of the whole (medians).")

        def ratio(index: int) -> float:
            return statistics.median(timings["whole"][index]) / statistics.median(
                timings["weasyprint"][index]
            )

        self.stdout.write(
            f"Whole / WeasyPrint alone (aim ≤ 1.05): {ratio(0):.3f} wall clock, "
            f"{ratio(1):.3f} CPU time (medians)."
        )
