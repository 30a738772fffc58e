"""Background tasks of the assessments (django-tasks): the daily reminders of actions.

django-tasks has no schedule of its own: the ``send_action_reminders`` management command,
run daily by a systemd timer (deploy/tillit-reminders.timer) or cron, enqueues this task.
"""

from django_tasks import task

from . import followup


@task()
def send_action_reminders() -> dict[str, int]:
    """Send today's reminders of actions (each goes once; see ``followup``)."""
    run = followup.send_reminders()
    return {
        "sent": run.sent,
        "failed": run.failed,
        "already_sent": run.already_sent,
        "without_recipient": len(run.without_recipient),
    }
