"""Send today's e-mail reminders of actions: before they fall due, and once when overdue.

Run it once a day (deploy/tillit-reminders.timer). By default it hands the work to the task
worker; ``--now`` sends from this process instead (also what happens without a worker, on the
immediate task backend). Running it twice a day sends nothing twice.
"""

from django.core.management.base import BaseCommand

from assessments import followup
from assessments.tasks import send_action_reminders


class Command(BaseCommand):
    help = "Send today's e-mail reminders of actions due soon or overdue (each goes once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send from this process instead of enqueuing the background task.",
        )

    def handle(self, *args, now: bool = False, **options) -> None:
        if not now:
            result = send_action_reminders.enqueue()
            self.stdout.write(f"Enqueued the reminder task {result.id} ({result.status}).")
            return
        run = followup.send_reminders()
        self.stdout.write(
            f"Sent {run.sent}, failed {run.failed}, already sent {run.already_sent}, "
            f"without a manager with an e-mail address {len(run.without_recipient)}."
        )
        if run.failed:
            raise SystemExit(1)
