"""Writing thousands of rows in one go: the CSV imports' units and their audit entries.

On PostgreSQL the rows go in with ``COPY … FROM STDIN``, several times faster than INSERT
statements of the same rows; SQLite runs ``executemany`` in-process; any other database gets
INSERT statements of `batch_size` rows. Constraints and triggers apply as for INSERT, and a
refused row raises Django's ``IntegrityError`` (or ``DatabaseError``) as an INSERT would.
"""

from __future__ import annotations

import contextlib
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def _copy_text(value: Any) -> str:
    """`value` as COPY's text format writes it: backslash escapes, \\N for NULL."""
    if type(value) is str:  # nearly every value: checked first
        # Four replacements (each a scan in C) are several times faster than a translate table.
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if type(value) is int:
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return _copy_text(str(value))


def insert_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch_size: int = 500
) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`.

    JSON columns take the JSON text; on PostgreSQL the column's type reads it.
    """
    rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        # psycopg2's cursor has copy_expert; another PostgreSQL driver gets the INSERTs.
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy_expert"):
            sql = f"COPY {quote(table)} ({names}) FROM STDIN"
            data = io.StringIO("".join("\t".join(map(_copy_text, row)) + "\n" for row in rows))
            # Logged like any query, so query counts and DEBUG's list see it.
            logged = (
                cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else contextlib.nullcontext()
            )
            with logged, connection.wrap_database_errors:
                cursor.cursor.copy_expert(sql, data)
            return
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        if connection.vendor == "sqlite":  # executemany runs in-process, row by row, quickly
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES {placeholders}", rows)
            return
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            cursor.execute(
                f"INSERT INTO {quote(table)} ({names}) VALUES "
                + ", ".join([placeholders] * len(batch)),
                [value for row in batch for value in row],
            )


def new_keys(table: str, column: str, count: int) -> list[int] | None:
    """`count` fresh values of `table`'s auto-incremented `column`, taken from its sequence.

    Rows inserted with them need not return their keys. None where the database has no
    sequence to take them from (SQLite): insert without keys there and let it return them.
    """
    if connection.vendor != "postgresql" or count == 0:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [key for (key,) in cursor.fetchall()]
