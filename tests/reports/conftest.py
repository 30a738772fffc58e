import pytest


@pytest.fixture(autouse=True)
def in_memory_storage(settings):
    """Stored reports in Django's in-memory storage: it has no file system paths, so any use of
    one instead of the storage API fails here, as it would with S3."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
