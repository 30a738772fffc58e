import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Batch files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
