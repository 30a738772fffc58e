"""A staff member's personal data: the register extract (registerutdrag, GDPR art. 15) and
deleting the person while the units' results stay (art. 17).

Only staff accounts are people Tillit knows. Participants have no account and nothing here
reads their answers, comments, respondents or join codes: an extract names the assessments a
person worked on by unit and round only.

Deleting a person removes their account, roles and login records. What they did for a unit
stays, as the unit's results must: rounds they opened, assessments they completed, figures
they released and agreements they saved keep their content, with the link to the person
emptied (every foreign key to the user is SET_NULL, except roles and the person's own batch
downloads, which go with them). Audit-log entries stay for their own retention, naming the
person only as "person #<id>", so that what happened can still be followed without saying who.
"""

import datetime
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry as AuditEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry as AdminEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace

from assessments.models import (
    Action,
    BalanceAgreement,
    DimensionAgreement,
    PrincipleAgreement,
    Release,
    Role,
    Round,
    StateChange,
    UnitAssessment,
)
from batches.models import Batch
from principles.models import QuotationChange


def may_handle(user) -> bool:
    """Who may export or delete a person's data: active superusers (administrators)."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def pseudonym(user_pk: int) -> str:
    """How a deleted person is named where a trace of their work is kept."""
    return f"person #{user_pk}"


def _when(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _assessment(assessment: UnitAssessment) -> dict[str, str]:
    # By unit and round: never the join code, the key to the participants' pages.
    return {
        "unit": assessment.unit.name,
        "unit_code": assessment.unit.code,
        "round": assessment.round.name,
    }


def _logins(username: str) -> dict[str, list[dict[str, Any]]]:
    """django-axes' records for this user name: successful logins and failed attempts."""
    fields = ["attempt_time", "ip_address", "user_agent", "path_info"]
    return {
        "logins": [
            {
                **{f: _when(row[f]) if f.endswith("time") else row[f] for f in fields},
                "logout_time": _when(row["logout_time"]),
            }
            for row in AccessLog.objects.filter(username=username)
            .order_by("attempt_time")
            .values(*fields, "logout_time")
        ],
        "failed_logins": [
            {
                **{f: _when(row[f]) if f.endswith("time") else row[f] for f in fields},
                "locked_out": row["locked_out"],
            }
            for row in AccessFailureLog.objects.filter(username=username)
            .order_by("attempt_time")
            .values(*fields, "locked_out")
        ],
        "login_attempts_being_counted": [
            {
                **{f: _when(row[f]) if f.endswith("time") else row[f] for f in fields},
                "failures": row["failures_since_start"],
            }
            for row in AccessAttempt.objects.filter(username=username)
            .order_by("attempt_time")
            .values(*fields, "failures_since_start")
        ],
    }


ACTIONS = {
    AuditEntry.Action.CREATE: "created",
    AuditEntry.Action.UPDATE: "changed",
    AuditEntry.Action.DELETE: "deleted",
    AuditEntry.Action.ACCESS: "viewed",
}


def _about_roles_of(user_pk: int, username: str) -> Q:
    """Audit entries of roles given to or taken from the person (their changes name the user
    by id) or changed (their description starts with the user name)."""
    return (
        Q(changes__user__0=str(user_pk))
        | Q(changes__user__1=str(user_pk))
        | Q(object_repr__startswith=f"{username} – ")
    )


def _audit(entries) -> list[dict[str, Any]]:
    return [
        {
            "when": _when(entry.timestamp),
            "kind": entry.content_type.model,
            "object": entry.object_repr,
            "action": ACTIONS.get(entry.action, str(entry.action)),
            "changes": entry.changes_dict,
        }
        for entry in entries.select_related("content_type").order_by("timestamp", "pk")
    ]


def _names(user) -> set[str]:
    """How a group may have written the person as responsible for an action."""
    names = {user.get_full_name().strip(), user.get_username().strip(), user.email.strip()}
    return {name for name in names if name}


def _actions_naming(user):
    condition = Q(pk__in=[])
    for name in _names(user):
        condition |= Q(responsible__iexact=name)
    return Action.objects.filter(condition).select_related("assessment__unit", "assessment__round")


def extract(user) -> dict[str, Any]:
    """Everything stored about `user`, as JSON-ready data (a bounded number of queries)."""
    user_type = ContentType.objects.get_for_model(type(user))
    role_type = ContentType.objects.get_for_model(Role)
    agreements = [
        {**_assessment(a.assessment), "what": kind, "updated_at": _when(a.updated_at)}
        for kind, model in (
            ("principle agreement", PrincipleAgreement),
            ("dimension agreement", DimensionAgreement),
            ("balance agreement", BalanceAgreement),
        )
        for a in model.objects.filter(updated_by=user).select_related(
            "assessment__unit", "assessment__round"
        )
    ]
    return {
        "person": {
            "id": user.pk,
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": user.is_active,
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
            "has_password": user.has_usable_password(),
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "permissions": sorted(
                f"{app}.{code}"
                for app, code in user.user_permissions.values_list(
                    "content_type__app_label", "codename"
                )
            ),
        },
        "roles": [
            {"unit": role.unit.name, "unit_code": role.unit.code, "role": role.kind}
            for role in Role.objects.filter(user=user).select_related("unit").order_by("unit__path")
        ],
        **_logins(user.get_username()),
        "changes_made": _audit(AuditEntry.objects.filter(actor=user)),
        "changes_to_the_person": _audit(
            AuditEntry.objects.filter(
                Q(content_type=user_type, object_pk=str(user.pk))
                | (Q(content_type=role_type) & _about_roles_of(user.pk, user.get_username()))
            ).exclude(actor=user)
        ),
        "admin_history": [
            {
                "when": _when(entry.action_time),
                "object": entry.object_repr,
                "message": entry.get_change_message(),
            }
            for entry in AdminEntry.objects.filter(user=user).order_by("action_time")
        ],
        "rounds_created": [
            {"round": r.name, "opens_on": _when(r.opens_on), "created_at": _when(r.created_at)}
            for r in Round.objects.filter(created_by=user).order_by("created_at")
        ],
        "assessments_completed": [
            {**_assessment(a), "completed_at": _when(a.completed_at)}
            for a in UnitAssessment.objects.filter(completed_by=user).select_related(
                "unit", "round"
            )
        ],
        "state_changes": [
            {
                **_assessment(c.assessment),
                "from": c.from_state,
                "to": c.to_state,
                "when": _when(c.changed_at),
                "reason": c.reason,
            }
            for c in StateChange.objects.filter(changed_by=user).select_related(
                "assessment__unit", "assessment__round"
            )
        ],
        "figures_released": [
            {**_assessment(r.assessment), "number": r.number, "when": _when(r.released_at)}
            for r in Release.objects.filter(released_by=user).select_related(
                "assessment__unit", "assessment__round"
            )
        ],
        "agreements_saved": agreements,
        "actions_naming_the_person": [
            {
                **_assessment(action.assessment),
                "action": action.title,
                "responsible": action.responsible,
                "due_on": _when(action.due_on),
                "status": action.status,
            }
            for action in _actions_naming(user)
        ],
        "batches": [
            {"round": b.round.name, "unit": b.node.name, "created_at": _when(b.created_at)}
            for b in Batch.objects.filter(created_by=user).select_related("round", "node")
        ],
        "quotation_changes": [
            {"item": q.item, "field": q.field, "when": _when(q.changed_at)}
            for q in QuotationChange.objects.filter(changed_by=user)
        ],
    }


@transaction.atomic
def delete_person(user, *, by) -> dict[str, int]:
    """Delete `user` and their login records; keep what they did for units, unlinked.

    Returns how many of each kind were deleted or unlinked (shown to the administrator).
    """
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == by.pk:
        raise ValueError("An administrator cannot delete themselves.")
    pk, username, name = user.pk, user.get_username(), pseudonym(user.pk)
    counts: dict[str, int] = {}
    counts["roles"] = Role.objects.filter(user=user).count()
    counts["logins"] = sum(
        model.objects.filter(username=username).delete()[0]
        for model in (AccessLog, AccessFailureLog, AccessAttempt)
    )
    # The audit log keeps what happened for its own retention, without saying who: entries
    # the person made, about their account and about their roles name them by number only.
    made = AuditEntry.objects.filter(actor=user)
    counts["audit_entries"] = made.update(
        actor=None, actor_email=None, additional_data={"actor": name}
    )
    user_type = ContentType.objects.get_for_model(User)
    AuditEntry.objects.filter(content_type=user_type, object_pk=str(pk)).update(
        object_repr=name, changes={}, changes_text=""
    )
    role_type = ContentType.objects.get_for_model(Role)
    AuditEntry.objects.filter(Q(content_type=role_type) & _about_roles_of(pk, username)).update(
        object_repr=Replace("object_repr", Value(f"{username} – "), Value(f"{name} – "))
    )
    with disable_auditlog():
        # Roles and the account go without entries naming them; one entry says it happened.
        user.delete()
    AuditEntry.objects.create(
        content_type=user_type,
        object_pk=str(pk),
        object_id=pk,
        object_repr=name,
        action=AuditEntry.Action.DELETE,
        changes={},
        actor=by,
        additional_data={"reason": "register erasure: person deleted, results kept"},
    )
    return counts
