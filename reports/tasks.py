"""Background tasks of the reports (django-tasks): rendering one stored PDF."""

from django_tasks import task

from . import stored, stored_comparisons


@task()
def render_stored_report(report_id: int) -> None:
    """Render a stored report if it is out of date; failures are recorded on the row."""
    stored.render(report_id)


@task()
def render_stored_comparison(comparison_id: int) -> None:
    """Render a stored comparison if it is out of date; failures are recorded on the row."""
    stored_comparisons.render(comparison_id)
