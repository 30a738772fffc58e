"""Release the figures of completed assessments that have none: for data from before releases.

    python manage.py release_completed --dry-run   # say what would be released
    python manage.py release_completed

Assessments completed before figures were kept as released snapshots show no figures until
this runs. Each gets a first release by the same rule as the dialogue (the threshold of
counted respondents, each figure with its own threshold), and its counted respondents are
recorded. An assessment with too few respondents is left without figures. Running it again
changes nothing.
"""

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from assessments import disclosure
from assessments.models import AssessmentState, UnitAssessment


class Command(BaseCommand):
    help = "Release the figures of completed assessments that have none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="change nothing")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        waiting = list(
            # A purged assessment has no answers left to release figures from.
            UnitAssessment.objects.filter(
                state=AssessmentState.COMPLETED, release__isnull=True, purged_at__isnull=True
            )
            .select_related("round", "unit")
            .order_by("round_id", "unit__path")
        )
        threshold = disclosure.threshold()
        released = 0
        for assessment in waiting:
            counted = disclosure.participation(assessment).counted
            if dry_run:
                what = "would release" if counted >= threshold else "too few to release"
            else:
                with transaction.atomic():
                    locked = UnitAssessment.objects.select_for_update().get(pk=assessment.pk)
                    outcome = disclosure.release(locked)
                    UnitAssessment.objects.filter(
                        pk=locked.pk, counted_respondents__isnull=True
                    ).update(counted_respondents=counted)
                what = "released" if outcome.released else "too few to release"
            released += counted >= threshold
            self.stdout.write(
                f"{assessment.round.name} · {assessment.unit.code}: {what} ({counted} counted)"
            )
        summary = "would be released" if dry_run else "released"
        self.stdout.write(f"{released} of {len(waiting)} completed assessments {summary}.")
