"""The audit log: who changed the framework texts, units, roles, rounds and assessments' states.

django-auditlog writes one entry per saved change, with the changed fields (before and after)
and the signed-in person who made it (its middleware reads ``request.user``), whether the change
was made in admin or in the application (a manager completing an assessment).

What is logged is listed here and nowhere else. Respondents, answers and comments are never
registered, and of a unit assessment only its state and the fields that go with it: no
participant's words, no join code and (AUDITLOG_DISABLE_REMOTE_ADDR) no network address ever
land in the log. Entries are kept for AUDIT_RETENTION_DAYS days (``purge_audit_log``).
"""

import datetime
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

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
