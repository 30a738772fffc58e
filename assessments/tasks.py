"""Background tasks of the assessments app (django-tasks)."""

from typing import Any

from django_tasks import task

from . import retention


@task()
def purge_expired() -> dict[str, Any]:
    """Delete what the retention settings no longer allow to be kept (``retention.purge``).

    Run daily: by ``manage.py purge_expired`` from a timer (deploy/tillit-purge.timer), or
    queued with ``purge_expired.enqueue()`` where a scheduler enqueues tasks. Returns the
    counts deleted, which the task's result keeps.
    """
    return retention.purge().as_json()
