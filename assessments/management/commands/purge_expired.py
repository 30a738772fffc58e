"""Delete what the retention settings no longer allow to be kept (gallring).

    python manage.py purge_expired --dry-run   # say what would be deleted, change nothing
    python manage.py purge_expired             # delete it, and say what was deleted

Individual answers and comments of assessments completed at least RETENTION_ANSWERS_DAYS
ago (their released figures, agreements, notes and actions stay), django-axes login logs
older than RETENTION_LOGIN_LOG_DAYS and state changes older than RETENTION_STATE_LOG_DAYS
(``assessments.retention``). Run it daily (deploy/tillit-purge.timer); running it again
the same day deletes nothing more.
"""

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from assessments import retention


class Command(BaseCommand):
    help = "Delete individual answers, login logs and state changes past their retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be deleted; change nothing"
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        done = retention.plan() if dry_run else retention.purge()
        verb = "would be deleted" if dry_run else "deleted"
        periods = done.periods
        self.stdout.write(
            f"Retention: answers {periods.answers_days} days after completion, login logs "
            f"{periods.login_log_days} days, state changes {periods.state_log_days} days."
        )
        for row in done.assessments:
            completed = timezone.localtime(row.completed_at).date().isoformat()
            self.stdout.write(
                f"{row.round_name} · {row.unit_code} {row.unit_name} (completed {completed}) "
                f"{verb}: respondents {row.respondents}, answers {row.answers}, "
                f"comments {row.comments}"
            )
        self.stdout.write(
            f"Individual answers {verb}: assessments {len(done.assessments)}, respondents "
            f"{done.respondents}, answers {done.answers}, comments {done.comments}."
        )
        logs = ", ".join(f"{name} {n}" for name, n in done.login_logs.items())
        self.stdout.write(f"Login logs {verb}: {logs}.")
        self.stdout.write(f"State changes {verb}: {done.state_changes}.")
