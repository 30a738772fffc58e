"""Comparison, trends, exports, PDF and batches of unit reports × every persona.

The round covers the whole organisation; Enhet A1 and Enhet B1 have completed. The quality
developer of Förvaltning A sees A's part; the one of Förvaltning B gets 404 for anything of
A's; managers and outsiders get 404 for objects and 403 for the lists.
"""

import atexit
import datetime

from django.urls import reverse

from tests.assessments.matrix import LOGIN, Case

# Who sees Förvaltning A's comparison (or a unit of it).
OF_A = {
    "administrator": 200,
    "quality_developer": 200,
    "quality_developer_elsewhere": 404,
    "manager_of_a": 404,
    "manager_of_b": 404,
    "outsider": 404,
    "anonymous": LOGIN,
}
# Lists that name no object: only people who oversee some part of the tree.
LIST = {
    "administrator": 200,
    "quality_developer": 200,
    "quality_developer_elsewhere": 200,
    "manager_of_a": 403,
    "manager_of_b": 403,
    "outsider": 403,
    "anonymous": LOGIN,
}
# The quality developer of A's own batch: its creator and administrators only.
OWN_BATCH = {**OF_A}


class Data:
    pass


def _round(org) -> Data:
    from tests.factories import make_round, make_version
    from tests.factories_compare import complete

    data = Data()
    version = make_version(principles=2, statements=1, dimensions=1, published=True)
    data.round = make_round(org.root, version)
    data.a1 = complete(data.round, org.a1, respondents=5)
    data.b1 = complete(data.round, org.b1, respondents=5)
    return data


def _round_in_preparation(org) -> Data:
    """A round in which Enhet A1 takes part but has not completed: a batch of it has no
    unit, so asking for one writes no file (the permission is what is tested here)."""
    from tests.factories import make_assessment, make_round, make_version

    data = Data()
    data.round = make_round(org.root, make_version(published=True))
    make_assessment(data.round, org.a1)
    return data


_FILES: list[str] = []


def _batch(org) -> Data:
    """A finished batch the quality developer of A asked for, with its ZIP on disk."""
    import zipfile

    from batches import storage
    from batches.models import Batch, BatchStatus

    data = _round(org)
    scratch = storage.temporary_file()
    with zipfile.ZipFile(scratch, "w") as archive:
        archive.writestr("A1.pdf", b"%PDF-1.7\n")
    name = storage.put_in_place(scratch, storage.final_name(0))
    if not _FILES:
        atexit.register(lambda: [storage.remove(n) for n in _FILES])
    _FILES.append(name)
    data.batch = Batch.objects.create(
        round=data.round,
        node=org.dep_a,
        created_by=org.quality_developer,
        language="sv",
        status=BatchStatus.DONE,
        total=1,
        done=1,
        file=name,
        finished_at=datetime.datetime.now(tz=datetime.UTC),
    )
    return data


def _compare(name: str):
    return lambda org, data: reverse(name, args=[data.round.pk, org.dep_a.pk])


CASES = [
    Case("compare_index", lambda org, data: reverse("compare_index"), LIST, setup=_round),
    Case("compare_department", _compare("compare"), OF_A, setup=_round),
    Case(
        "compare_unit",
        lambda org, data: reverse("compare", args=[data.round.pk, org.a1.pk]),
        OF_A,
        setup=_round,
    ),
    Case("compare_rows", _compare("compare_rows"), OF_A, setup=_round),
    Case("compare_csv", _compare("compare_csv"), OF_A, setup=_round),
    Case("compare_xlsx", _compare("compare_xlsx"), OF_A, setup=_round),
    Case("compare_pdf", _compare("compare_pdf"), OF_A, setup=_round),
    Case(
        "compare_trend",
        lambda org, data: reverse("compare_trend", args=[org.dep_a.pk]),
        OF_A,
        setup=_round,
    ),
    Case("batch_list", lambda org, data: reverse("batch_list"), LIST),
    Case(
        "batch_create",
        _compare("batch_create"),
        {**OF_A, "administrator": 302, "quality_developer": 302},
        setup=_round_in_preparation,
        method="post",
    ),
    Case(
        "batch_detail",
        lambda org, data: reverse("batch_detail", args=[data.batch.pk]),
        OWN_BATCH,
        setup=_batch,
    ),
    Case(
        "batch_status",
        lambda org, data: reverse("batch_status", args=[data.batch.pk]),
        OWN_BATCH,
        setup=_batch,
    ),
    Case(
        "batch_download",
        lambda org, data: reverse("batch_download", args=[data.batch.pk]),
        OWN_BATCH,
        setup=_batch,
    ),
]
