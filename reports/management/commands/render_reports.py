"""Render the stored reports of completed assessments that are missing or out of date.

    python manage.py render_reports                   # every completed assessment
    python manage.py render_reports --round "Tillitsskattning VT 2026" --force

Runs in the foreground (not through the task queue): after a deploy that changes the report's
look, or to prepare a round's reports before a meeting. ``--force`` renders again even what
is up to date.
"""

import time

from django.core.management.base import BaseCommand, CommandParser

from assessments.models import AssessmentState, UnitAssessment
from reports import stored
from reports.models import ReportState, StoredReport


class Command(BaseCommand):
    help = "Render the stored unit reports of completed assessments that are missing or old."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", help="Only this round (its name).")
        parser.add_argument("--force", action="store_true", help="Render everything again.")

    def handle(self, *args, **options) -> None:
        assessments = UnitAssessment.objects.filter(state=AssessmentState.COMPLETED)
        if options["round"]:
            assessments = assessments.filter(round__name=options["round"])
        ids = list(assessments.values_list("pk", flat=True))
        language = stored.default_language()
        StoredReport.objects.bulk_create(
            [
                StoredReport(assessment_id=pk, language=language, audience=audience)
                for pk in ids
                for audience in (stored.AUDIENCE_UNIT, stored.AUDIENCE_OVERSEER)
            ],
            ignore_conflicts=True,
        )
        rows = StoredReport.objects.filter(assessment_id__in=ids)
        if options["force"]:
            rows.update(fingerprint="", state=ReportState.PENDING)
        made = failed = 0
        started = time.perf_counter()
        for pk in rows.exclude(state=ReportState.READY).values_list("pk", flat=True):
            row = stored.render(pk)
            if row is not None and row.state == ReportState.READY:
                made += 1
            else:
                failed += 1
                self.stderr.write(f"report {pk}: {row.error if row else 'gone'}")
        seconds = time.perf_counter() - started
        self.stdout.write(f"{made} rendered, {failed} failed, {seconds:.1f} s")
