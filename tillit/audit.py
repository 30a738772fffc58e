"""The audit log: who changed the framework texts, units, roles, rounds and assessments' states.

django-auditlog writes one entry per saved change, with the changed fields (before and after)
and the signed-in person who made it (its middleware reads ``request.user``), whether the change
was made in admin or in the application (a manager completing an assessment).

What is logged is listed here and nowhere else. Respondents, answers and comments are never
registered, and of a unit assessment only its state and the fields that go with it: no
participant's words, no join code and (AUDITLOG_DISABLE_REMOTE_ADDR) no network address ever
land in the log. Entries are kept for AUDIT_RETENTION_DAYS days (``purge_audit_log``).

Bulk writes (the CSV imports) bypass the signals auditlog listens to; they log through
``BulkLog`` instead, which writes the entries auditlog would in one bulk insert (COPY on
PostgreSQL, ``tillit.bulk``).
"""

import datetime
import json
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import get_field_value, get_mask_function
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.encoding import smart_str

from tillit.bulk import insert_rows

# Model label -> how auditlog registers it. A model missing here is not logged at all.
AUDITED: dict[str, dict[str, Any]] = {
    # The framework's texts, as administrators edit them in admin.
    "principles.FrameworkVersion": {},
    "principles.Principle": {},
    "principles.Statement": {},
    "principles.ReflectionQuestion": {},
    "principles.Dimension": {},
    "principles.SteeringPrinciple": {},
    "principles.SupportingText": {},
    # The organisation: treebeard's child count changes with every child added (noise).
    "assessments.Unit": {"exclude_fields": ["numchild"]},
    "assessments.Role": {},
    # The creation token only tells a resent form from a new one.
    "assessments.Round": {"exclude_fields": ["creation_token"]},
    # Opening, closing, releasing, completing and reopening. Only these fields: the join code
    # is the key to the participants' pages and stays out.
    "assessments.UnitAssessment": {
        "include_fields": [
            "state",
            "expected_respondents",
            "release",
            "share_notes",
            "completed_at",
            "completed_by",
        ]
    },
    # Who may sign in and with which rights; never the password hash or the last login time.
    "auth.User": {
        "include_fields": [
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
        ],
        "m2m_fields": {"groups", "user_permissions"},
    },
}

# Never to be registered: what participants give (tests/tillit/test_audit_log.py checks it).
NEVER_AUDITED = {
    "assessments.Respondent",
    "assessments.StatementAnswer",
    "assessments.DimensionAnswer",
    "assessments.BalanceAnswer",
    "assessments.PrincipleComment",
}


def register_models() -> None:
    """Register the models above with auditlog (called once, from the app's ready())."""
    user_label = get_user_model()._meta.label
    for label, options in AUDITED.items():
        if label == "auth.User" and user_label != "auth.User":
            label = user_label  # a custom user model is logged the same way
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, **options)


def retention_days() -> int:
    return settings.AUDIT_RETENTION_DAYS


def expired_entries(now: datetime.datetime | None = None) -> QuerySet[LogEntry]:
    """Entries older than the retention period; one made exactly at the cut-off stays."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    return LogEntry.objects.filter(timestamp__lt=cutoff)


@transaction.atomic
def purge(*, dry_run: bool = False, now: datetime.datetime | None = None) -> int:
    """Delete the expired entries (or, with `dry_run`, only count them); returns how many."""
    expired = expired_entries(now)
    count = expired.count()
    if not dry_run and count:
        expired.delete()
    return count


# ---------------------------------------------------------------------------------------
# Logging bulk writes
# ---------------------------------------------------------------------------------------

# Auditlog writes these values with smart_str(); for them str() gives the same text, much faster.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.AutoField,
    models.BigAutoField,
)


def _tracked_fields(model: type[models.Model]) -> list[tuple[models.Field, bool]]:
    """The concrete fields auditlog records for `model`, each with whether str() renders it.

    Reverse relations, which auditlog's diff of a new object also lists (as texts such as
    "assessments.Role.None" that say nothing), are left out.
    """
    options = auditlog.get_model_fields(model)
    include, exclude = options["include_fields"], options["exclude_fields"]
    fk_as_id = not settings.AUDITLOG_USE_FK_STRING_REPRESENTATION
    fields = []
    for field in model._meta.concrete_fields:
        if (include and field.name not in include) or field.name in exclude:
            continue
        plain = not settings.AUDITLOG_STORE_JSON_CHANGES and (
            isinstance(field, _PLAIN_FIELDS) or (field.many_to_one and fk_as_id)
        )
        fields.append((field, plain))
    return fields


class _Logged:
    """How entries about one model are made (looked up once per model, not once per object)."""

    __slots__ = ("additional_data", "content_type", "fields", "mask", "mask_fields", "serialize")

    def __init__(self, model: type[models.Model]) -> None:
        options = auditlog.get_model_fields(model)
        self.fields = _tracked_fields(model)
        self.content_type: int = ContentType.objects.get_for_model(model).pk
        self.serialize: bool = auditlog.get_serialize_options(model)["serialize_data"]
        self.mask_fields = set(options["mask_fields"])
        self.mask = get_mask_function(options["mask_callable"]) if self.mask_fields else None
        self.additional_data = callable(getattr(model, "get_additional_data", None))


class BulkLog:
    """Audit entries for objects written with bulk queries, as auditlog writes for save().

    Collect the changes with `created` and `updated` while or after writing, then `save()`
    inside the same transaction: a rolled-back write takes its entries with it. Values are
    rendered as auditlog renders them (``get_field_value``: text, "None" for nothing), one entry
    per object that changed, with the actor and a `source` saying where the change came from
    (in ``additional_data``), for entries made where no one is signed in. `more` adds changes
    the model's fields do not show as such (a unit's parent, which the tree keeps in its path).
    """

    def __init__(self, *, actor: AbstractBaseUser | None, source: str) -> None:
        self.actor = actor if actor is not None and actor.is_authenticated else None
        self.source = source
        self.rows: list[tuple] = []
        self._models: dict[type[models.Model], _Logged | None] = {}
        self._cid = get_cid()
        self._now = timezone.now()

    def _logged(self, model: type[models.Model]) -> _Logged | None:
        """None when auditlog does not log `model` (or is switched off here)."""
        if auditlog_disabled.get():
            return None
        if model not in self._models:
            self._models[model] = _Logged(model) if auditlog.contains(model) else None
        return self._models[model]

    @staticmethod
    def _value(instance: models.Model, field: models.Field, plain: bool) -> Any:
        if plain:
            return str(getattr(instance, field.attname))
        return get_field_value(instance, field, settings.AUDITLOG_STORE_JSON_CHANGES)

    def created(self, instance: models.Model, more: dict[str, list] | None = None) -> None:
        """`instance` was inserted (it must have its primary key)."""
        logged = self._logged(type(instance))
        if logged is None:
            return
        changes = {}
        for field, plain in logged.fields:
            if plain:  # the common case, inlined: thousands of objects, several fields each
                value = getattr(instance, field.attname)
                if value is None:
                    continue
                value = str(value)
            else:
                value = self._value(instance, field, plain)
            if value != "None" and value is not None:
                changes[field.name] = ["None", value]
        if more:
            changes.update(more)
        self._add(instance, logged, LogEntry.Action.CREATE, changes)

    def updated(
        self,
        old: models.Model,
        new: models.Model,
        written: list[str],
        more: dict[str, list] | None = None,
    ) -> None:
        """`new` replaced `old` in the fields `written`; nothing is logged if none changed."""
        logged = self._logged(type(new))
        if logged is None:
            return
        changes = {}
        for field, plain in logged.fields:
            if field.name in written:
                before, after = self._value(old, field, plain), self._value(new, field, plain)
                if before != after:
                    changes[field.name] = [before, after]
        if more:
            changes.update(more)
        if changes:
            self._add(new, logged, LogEntry.Action.UPDATE, changes)

    def _add(
        self, instance: models.Model, logged: _Logged, action: int, changes: dict[str, list]
    ) -> None:
        if logged.mask is not None:
            for name in logged.mask_fields & set(changes):
                changes[name] = [logged.mask(str(value)) for value in changes[name]]
        extra = (instance.get_additional_data() or {}) if logged.additional_data else {}
        pk = instance.pk
        serialized = (
            LogEntry.objects._get_serialized_data_or_none(instance) if logged.serialize else None
        )
        self.rows.append(
            (
                logged.content_type,
                str(pk) if type(pk) is int else smart_str(pk),
                pk if isinstance(pk, int) else None,
                str(instance),  # what smart_str() gives for a model, without its detours
                serialized,
                action,
                changes,
                extra,
            )
        )

    # The columns `_add` fills for each entry, in its order; the others are the same for all.
    _PER_ENTRY = (
        "content_type",
        "object_pk",
        "object_id",
        "object_repr",
        "serialized_data",
        "action",
        "changes",
        "additional_data",
    )

    def save(self) -> int:
        """Insert the collected entries; returns how many.

        Straight into auditlog's table (``tillit.bulk.insert_rows``: COPY on PostgreSQL), the
        values as LogEntry's fields store them: building thousands of LogEntry objects for
        bulk_create took longer than the import.
        """
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        meta = LogEntry._meta
        shared = {
            name: meta.get_field(name).get_db_prep_save(value, connection)
            for name, value in {
                "changes_text": "",
                "actor": self.actor.pk if self.actor else None,
                "actor_email": getattr(self.actor, "email", None) if self.actor else None,
                "cid": self._cid,
                "remote_addr": None,
                "remote_port": None,
                "timestamp": self._now,
            }.items()
        }
        # Columns left out are NULL.
        shared = {name: value for name, value in shared.items() if value is not None}
        shared_values = tuple(shared.values())
        changes_encoder = meta.get_field("changes").encoder
        data_encoder = meta.get_field("additional_data").encoder
        plain_source = json.dumps({"source": self.source}, cls=data_encoder)

        def prepared(row: tuple) -> tuple:
            ct, object_pk, object_id, repr_, serialized, action, changes, extra = row
            return (
                ct,
                object_pk,
                object_id,
                repr_,
                None if serialized is None else json.dumps(serialized),
                action,
                json.dumps(changes, cls=changes_encoder),  # as JSONField stores it
                json.dumps({"source": self.source, **extra}, cls=data_encoder)
                if extra
                else plain_source,
                *shared_values,
            )

        insert_rows(
            meta.db_table,
            [meta.get_field(name).column for name in (*self._PER_ENTRY, *shared)],
            map(prepared, rows),
        )
        return len(rows)
