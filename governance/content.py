"""The governance chain's framework content (kinds, purposes, levels) as shipped in
``fixtures/framework.json``.

A fresh database gets it with the framework (``loaddata framework``). A database whose
framework was loaded before this content existed gets it added to the versions that have
none (``add_missing_content``, run by ``setup_demo``): the rows are new, nothing an
administrator edited changes, and answers already given are untouched. Written with
``bulk_create``, as ``loaddata`` writes, because the versions are published and their
existing texts stay read-only.
"""

import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from principles.models import FrameworkVersion

from .models import SignalKind, SignalLevel, SignalPurpose

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "framework.json"
MODELS = {
    "governance.signalkind": SignalKind,
    "governance.signalpurpose": SignalPurpose,
    "governance.signallevel": SignalLevel,
}


@cache
def shipped_rows() -> dict[str, tuple[dict, ...]]:
    """The fixture's rows of each model (fields only; their version is replaced)."""
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {
        label: tuple(row["fields"] for row in rows if row["model"] == label) for label in MODELS
    }


@transaction.atomic
def add_content(version: FrameworkVersion) -> int:
    """Give `version` every kind, purpose and level it lacks (by key); returns how many."""
    added = 0
    for label, model in MODELS.items():
        present = set(model.objects.filter(version=version).values_list("key", flat=True))
        new = [
            model(**{**fields, "version": version})
            for fields in shipped_rows()[label]
            if fields["key"] not in present
        ]
        model.objects.bulk_create(new)
        added += len(new)
    return added


def add_missing_content() -> int:
    """Content for every version that has no governance content at all."""
    bare = FrameworkVersion.objects.exclude(signal_kinds__isnull=False).exclude(
        signal_levels__isnull=False
    )
    return sum(add_content(version) for version in bare)
