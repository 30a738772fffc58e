"""Generate an organisation for benchmarks: python manage.py generate_org --units 1000 ..."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.generate import GenerateError, delete_generated, generate_org


class Command(BaseCommand):
    help = (
        "Create a generated organisation (root GEN-ROOT): about 20 departments, the given "
        "number of units, one completed round against the current published framework, "
        "respondents with full answers, agreements and a few actions. Runs once; use --delete "
        "to remove it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units", type=int, default=1000)
        parser.add_argument("--respondents", type=int, default=20, help="Per unit.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--departments", type=int, default=None)
        parser.add_argument(
            "--small-units",
            type=int,
            default=0,
            help="How many units get only three respondents (below the anonymity threshold).",
        )
        parser.add_argument(
            "--delete", action="store_true", help="Remove the generated organisation and stop."
        )

    def handle(self, *args, **options) -> None:
        if options["delete"]:
            if delete_generated():
                self.stdout.write(self.style.SUCCESS("The generated organisation is removed."))
            else:
                self.stdout.write("There is no generated organisation.")
            return
        try:
            result = generate_org(
                units=options["units"],
                respondents=options["respondents"],
                seed=options["seed"],
                departments=options["departments"],
                small_units=options["small_units"],
                progress=lambda message: self.stdout.write(f"  {message}"),
            )
        except GenerateError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.units} units in {result.departments} departments with "
                f"{result.respondents} respondents in round “{result.round.name}” "
                f"(round {result.round.pk}, root unit {result.root.pk}) "
                f"in {result.seconds:.1f} s."
            )
        )
