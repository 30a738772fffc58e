import pytest


@pytest.fixture
def pdfs_left_queued(settings):
    """Completion queues the unit's reports so that they are ready before anyone asks; the
    tests' task backend would render them (WeasyPrint, seconds each) inside the completing
    request. A browser test that never opens a PDF leaves them queued instead."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
