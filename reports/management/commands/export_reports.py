"""Write the balance report of every completed unit assessment in a round as PDF files.

    python manage.py export_reports --round "Tillitsskattning HT 2026" --out rapporter/
    python manage.py export_reports --round 3 --unit A1 --lang en --out /tmp/reports

An operator's tool run on the server, so there is no person to scope by: it exports the full
report (audience "unit") of every completed assessment of the round, as an administrator
would see it. Files are named ``balansrapport-<unit code>-<round>.pdf`` as in the web
download; an existing file of that name is replaced.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.models import AssessmentState, Round, Unit, UnitAssessment
from reports.unit_report import render_unit_report_pdf, report_filename

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def find_round(value: str) -> Round:
    """A round by primary key or by its exact name; CommandError if none or several."""
    if value.isdigit():
        found = Round.objects.filter(pk=int(value)).first()
        if found is not None:
            return found
    matches = list(Round.objects.filter(name=value).order_by("pk"))
    if not matches:
        raise CommandError(f"No round with the id or the exact name “{value}”.")
    if len(matches) > 1:
        ids = ", ".join(str(r.pk) for r in matches)
        raise CommandError(
            f"Several rounds are named “{value}” (ids {ids}); give the id with --round instead."
        )
    return matches[0]


class Command(BaseCommand):
    help = "Write one PDF balance report per completed unit assessment of a round."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", required=True, help="The round's id or exact name.")
        parser.add_argument("--unit", help="Only this unit (its code).")
        parser.add_argument(
            "--lang",
            default=settings.LANGUAGE_CODE,
            choices=LANGUAGES,
            help="The report's language (default: %(default)s).",
        )
        parser.add_argument("--out", required=True, help="Directory for the PDF files.")

    def handle(self, *args, **options) -> None:
        round_ = find_round(options["round"])
        assessments = (
            UnitAssessment.objects.filter(round=round_)
            .select_related("unit", "round")
            .order_by("unit__code")
        )
        if options["unit"]:
            code = options["unit"]
            if not Unit.objects.filter(code=code).exists():
                raise CommandError(f"No unit with the code “{code}”.")
            assessments = assessments.filter(unit__code=code)
            if not assessments.exists():
                raise CommandError(f"Unit “{code}” has no assessment in the round “{round_}”.")
        completed = [a for a in assessments if a.state == AssessmentState.COMPLETED]
        skipped = len(assessments) - len(completed) if not options["unit"] else 0
        if options["unit"] and not completed:
            raise CommandError(
                f"The assessment of unit “{options['unit']}” in “{round_}” is not completed: "
                "there is no report to export yet."
            )

        out = Path(options["out"])
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create the directory {out}: {error}") from error

        total = 0
        for assessment in completed:
            data = render_unit_report_pdf(assessment, language=options["lang"])
            target = out / report_filename(assessment, language=options["lang"])
            target.write_bytes(data)
            total += len(data)
            self.stdout.write(f"{target}  ({assessment.unit.code} {assessment.unit.name})")

        summary = (
            f"Wrote {len(completed)} report(s) for “{round_}” to {out} "
            f"({total / 1024:.0f} KiB in all)"
        )
        if skipped:
            summary += f"; {skipped} assessment(s) not completed yet were skipped"
        self.stdout.write(self.style.SUCCESS(summary + "."))
