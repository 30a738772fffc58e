"""Background tasks of the assessments (django-tasks): reminders of actions and retention.

django-tasks has no schedule of its own: management commands run daily by systemd timers
(deploy/tillit-reminders.timer, deploy/tillit-purge.timer) or cron enqueue or run these.
"""

from typing import Any

from django_tasks import task

from . import followup, retention


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


@task()
def purge_expired() -> dict[str, Any]:
    """Delete what the retention settings no longer allow to be kept (``retention.purge``).

    Returns the counts deleted, which the task's result keeps.
    """
    return retention.purge().as_json()
