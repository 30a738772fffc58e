"""`python manage.py import_units FILE [--dry-run]`: the unit tree from a CSV file."""

import gc
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.importing import import_units


class CsvImportCommand(BaseCommand):
    """Reads FILE, runs `service` on its bytes and reports the result; errors exit with 1."""

    service = staticmethod(import_units)
    # The system checks load every view (and with them the sign-in libraries): seconds that
    # an import, run from HR's nightly job, does not need. `manage.py check` still runs them.
    requires_system_checks = []

    def run_from_argv(self, argv: list[str]) -> None:
        # Only from the command line, where the process ends with the command: everything
        # loaded at start-up lives until then, and frozen the garbage collector no longer walks
        # it again and again, during the import and once more while the interpreter shuts down
        # (together about a third of a second).
        gc.freeze()
        super().run_from_argv(argv)

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8, comma or semicolon separated.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; save nothing."
        )

    def handle(self, *args, file: str, dry_run: bool = False, **options) -> None:
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from error
        # No one is signed in: the audit entries name the command instead.
        command = type(self).__module__.rpartition(".")[2]
        result = self.service(data, dry_run=dry_run, source=f"{command} command")
        if result.errors:
            raise CommandError("\n".join([*result.summary(), *map(str, result.errors)]))
        if dry_run or options.get("verbosity", 1) >= 2:
            for line in result.details():
                self.stdout.write(line)
        first, *rest = result.summary()
        self.stdout.write(self.style.SUCCESS(first))
        for line in rest:
            self.stdout.write(line)


class Command(CsvImportCommand):
    help = (
        "Import or update the unit tree from a CSV file with the columns "
        "code,name,parent_code[,kind]. Nothing is stored if any line is wrong; units missing "
        "from the file are left as they are."
    )
    service = staticmethod(import_units)
