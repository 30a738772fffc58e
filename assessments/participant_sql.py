"""The SQL of the participant's pages, written out once instead of built on every request.

A save is a handful of small statements, and building each through the ORM (query objects,
joins, compilation, model instances) cost several times what the database spends running
it: a profile of the save put most of the request's CPU there. The statements here are the
ones the ORM sent, written with the table and column names the models give (a renamed column
follows), and run on PostgreSQL and SQLite alike (`INSERT … ON CONFLICT … DO UPDATE` is in
both). Values always go as parameters, never into the text.

`assessments.answers` decides what is read and written; this module only says it in SQL.
"""

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

# In a template, "{app_label.Model}" is the model's table, "{app_label.Model.field}" one of
# its columns qualified by the table, "{app_label.Model:field}" the column alone (for SET and
# INSERT lists); the field's column name is used ("assessment" -> "assessment_id"), quoted.
_NAME = re.compile(r"\{(\w+)\.(\w+)(?:([.:])(\w+))?\}")


def _quoted(match: re.Match) -> str:
    model = apps.get_model(match[1], match[2])
    table = connection.ops.quote_name(model._meta.db_table)
    if match[3] is None:
        return table
    column = connection.ops.quote_name(model._meta.get_field(match[4]).column)
    return f"{table}.{column}" if match[3] == "." else column


@lru_cache(maxsize=256)
def sql(template: str, vendor: str) -> str:
    """The template with its names filled in (kept: the same text for every request)."""
    return _NAME.sub(_quoted, template)


def execute(template: str, params: Sequence[Any]):
    """Run one statement on the default database; returns the cursor's rowcount and rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql(template, connection.vendor), params)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.rowcount, rows


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def upsert(
    model: type[Model],
    fields: Sequence[str],
    unique: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Insert the rows; where a row with the same `unique` fields exists, update the others.

    The values go to the driver as they are: ints, booleans, text and None, which both
    backends take without Django's preparation.
    """
    label = model._meta.label

    def bare(name: str) -> str:
        return f"{{{label}:{name}}}"

    row = f"({placeholders(len(fields))})"
    changed = [f"{bare(name)} = EXCLUDED.{bare(name)}" for name in fields if name not in unique]
    template = (
        f"INSERT INTO {{{label}}} ({', '.join(map(bare, fields))}) "
        f"VALUES {', '.join([row] * len(rows))} "
        f"ON CONFLICT ({', '.join(map(bare, unique))}) DO UPDATE SET {', '.join(changed)}"
    )
    execute(template, [value for values in rows for value in values])


# ---------------------------------------------------------------------------------------
# Whole rows as model instances
# ---------------------------------------------------------------------------------------


def columns(model: type[Model]) -> str:
    """Every concrete column of `model`, in field order, as a template's names."""
    label = model._meta.label
    return ", ".join(f"{{{label}.{f.name}}}" for f in model._meta.concrete_fields)


# Per database connection: the converters the backend applies to each model's columns (SQLite
# hands back datetimes as text and booleans as 0/1; PostgreSQL needs none).
_converters: "WeakKeyDictionary[Any, dict]" = WeakKeyDictionary()


def _converters_of(model: type[Model]) -> list[tuple[int, list]]:
    kept = _converters.setdefault(connections[DEFAULT_DB_ALIAS], {})
    found = kept.get(model)
    if found is None:
        found = []
        for index, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(column) + field.get_db_converters(
                connection
            )
            if converters:
                found.append((index, [(converter, column) for converter in converters]))
        kept[model] = found
    return found


def instance(model: type[Model], values: Sequence[Any]) -> Model:
    """A model instance from one row of `columns(model)`, converted as the ORM would."""
    values = list(values)
    for index, converters in _converters_of(model):
        for converter, column in converters:
            values[index] = converter(values[index], column, connection)
    return model.from_db(connection.alias, _attnames(model), values)


@lru_cache(maxsize=32)
def _attnames(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def width(model: type[Model]) -> int:
    """How many columns `columns(model)` gives."""
    return len(model._meta.concrete_fields)


def boolean(value: Any) -> bool | None:
    """A boolean column read raw (SQLite gives 0/1)."""
    return None if value is None else bool(value)
