"""Delete audit-log entries older than AUDIT_RETENTION_DAYS: python manage.py purge_audit_log.

Run it daily (beside the other retention tasks). --dry-run shows how many would go.
"""

from django.core.management.base import BaseCommand, CommandParser

from tillit import audit


class Command(BaseCommand):
    help = "Delete audit-log entries older than AUDIT_RETENTION_DAYS (default 730 days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        count = audit.purge(dry_run=dry_run)
        days = audit.retention_days()
        if dry_run:
            self.stdout.write(
                f"{count} audit-log entries are older than {days} days and would be deleted."
            )
        else:
            self.stdout.write(f"Deleted {count} audit-log entries older than {days} days.")
