"""Bulk inserts (tillit.bulk): COPY on PostgreSQL, executemany on SQLite, the same rows stored."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessments.models import Unit
from tests.factories import make_unit
from tillit.bulk import insert_rows, new_keys

pytestmark = pytest.mark.django_db

# What COPY's text format escapes or reads specially, and what a CSV file may hold.
AWKWARD = ["back\\slash", "tab\there", "line\nbreak", "carriage\rreturn", "\\N", "Östra, å ä ö"]


def test_it_stores_awkward_text_none_and_json_as_given():
    content_type = ContentType.objects.get_for_model(Unit).pk
    now = LogEntry._meta.get_field("timestamp").get_db_prep_save(timezone.now(), connection)
    rows = [
        (content_type, text, number, text, None, 0, '{"name": ["None", "\\u00d6"]}', "", now)
        for number, text in enumerate(AWKWARD)
    ]
    columns = [
        "content_type_id",
        "object_pk",
        "object_id",
        "object_repr",
        "cid",
        "action",
        "changes",
        "changes_text",
        "timestamp",
    ]

    insert_rows(LogEntry._meta.db_table, columns, rows)

    stored = list(
        LogEntry.objects.order_by("object_id").values_list(
            "object_pk", "object_repr", "object_id", "cid", "changes"
        )
    )
    assert stored == [
        (text, text, number, None, {"name": ["None", "Ö"]}) for number, text in enumerate(AWKWARD)
    ]


def test_it_inserts_units_with_keys_taken_first_or_given_by_the_database():
    keys = new_keys(Unit._meta.db_table, "id", 3)
    fields = ["path", "depth", "numchild", "code", "name", "kind", "is_active"]
    rows = [[f"ZZ{n:02d}", 1, 0, f"K{n}", f"Enhet {n}", "unit", True] for n in range(3)]
    if keys is not None:  # PostgreSQL: the sequence's next values, for these rows only
        assert len(set(keys)) == 3
        rows = [[key, *row] for key, row in zip(keys, rows, strict=True)]
        fields = ["id", *fields]

    insert_rows(Unit._meta.db_table, fields, rows)

    stored = dict(Unit.objects.filter(code__startswith="K").values_list("code", "pk"))
    assert set(stored) == {"K0", "K1", "K2"}
    if keys is not None:
        assert sorted(stored.values()) == sorted(keys)
    assert Unit.objects.get(code="K1").name == "Enhet 1"
    # The next unit saved the ordinary way gets a key of its own.
    assert make_unit("K9", "Enhet 9").pk not in stored.values()


def test_it_raises_integrity_error_for_a_refused_row_and_stores_none_of_them():
    make_unit("TAKEN", "Enhet")
    rows = [["ZZ01", 1, 0, "FREE", "Ny", "unit", True], ["ZZ02", 1, 0, "TAKEN", "Ny", "unit", True]]

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(
            Unit._meta.db_table,
            ["path", "depth", "numchild", "code", "name", "kind", "is_active"],
            rows,
        )

    assert not Unit.objects.filter(code="FREE").exists()
