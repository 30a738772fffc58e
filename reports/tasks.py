"""Background tasks of the reports (django-tasks): rendering one stored unit report."""

from django_tasks import task

from . import stored


@task()
def render_stored_report(report_id: int) -> None:
    """Render a stored report if it is out of date; failures are recorded on the row."""
    stored.render(report_id)
