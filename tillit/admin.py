"""The audit log in admin: read-only, for administrators with the right to view it.

Replaces django-auditlog's own page, whose columns and texts have no Swedish, and which
offers to filter by correlation ids that Tillit does not use.
"""

from auditlog.filters import ResourceTypeFilter
from auditlog.models import LogEntry
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)

ACTION_LABELS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("viewed"),
}


# Changes recorded under a name that is no field of the model: an imported unit's parent,
# which the tree stores only in the path (tillit.audit.BulkLog, assessments.importing).
EXTRA_FIELD_LABELS = {"parent": _("Parent")}


def _field(name: object) -> str:
    return str(EXTRA_FIELD_LABELS.get(name, name)) if isinstance(name, str) else str(name)


def _value(value: object) -> str:
    """One recorded value as it reads: m2m changes name what was added or removed."""
    if isinstance(value, dict) and value.get("type") == "m2m":
        operations = {"add": _("added"), "delete": _("removed")}
        objects = ", ".join(str(item) for item in value.get("objects", []))
        return f"{operations.get(value.get('operation'), value.get('operation'))}: {objects}"
    if value in (None, "None", ""):
        return "–"
    return str(value)


@admin.register(LogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Who changed what, when. No one adds, changes or deletes entries here.

    Viewing needs the superuser flag or the permission "Can view log entry"; staff without it,
    and everyone else, are refused by the admin as for any model.
    """

    list_display = ["when", "actor_label", "kind", "object_repr", "action_label", "fields_label"]
    list_filter = ["action", ResourceTypeFilter, "timestamp"]
    search_fields = ["object_repr", "actor__username", "actor__email", "actor__last_name"]
    list_select_related = ["content_type", "actor"]
    date_hierarchy = "timestamp"
    fields = ["when", "actor_label", "kind", "object_repr", "action_label", "changes_table"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Entries go only when their retention ends (purge_audit_log).
        return False

    @admin.display(description=_("when"), ordering="timestamp")
    def when(self, entry: LogEntry) -> str:
        return date_format(timezone.localtime(entry.timestamp), "DATETIME_FORMAT")

    @admin.display(description=_("by"), ordering="actor")
    def actor_label(self, entry: LogEntry) -> str:
        if entry.actor is not None:
            return str(entry.actor)
        if isinstance(entry.additional_data, dict) and entry.additional_data.get("actor"):
            return str(entry.additional_data["actor"])  # a deleted person, by number
        if isinstance(entry.additional_data, dict) and entry.additional_data.get("source"):
            # An import run from the command line: the entry names the command.
            return str(_("no one signed in (%(source)s)") % entry.additional_data)
        # No one signed in: a command, an import script or a deleted person's entry.
        return str(_("(no one signed in, or a person since deleted)"))

    @admin.display(description=_("kind of object"), ordering="content_type")
    def kind(self, entry: LogEntry) -> str:
        model = entry.content_type.model_class()
        if model is None:
            return entry.content_type.model
        return str(model._meta.verbose_name)

    @admin.display(description=_("change"), ordering="action")
    def action_label(self, entry: LogEntry) -> str:
        return str(ACTION_LABELS.get(entry.action, entry.action))

    @admin.display(description=_("fields"))
    def fields_label(self, entry: LogEntry) -> str:
        return ", ".join(_field(field) for field in entry.changes_display_dict) or "–"

    @admin.display(description=_("changes"))
    def changes_table(self, entry: LogEntry) -> str:
        changes = entry.changes_display_dict
        if not changes:
            return "–"
        rows = []
        for field, values in changes.items():
            if isinstance(values, dict):  # an m2m change
                rows.append((_field(field), "", _value(values)))
            else:
                before, after = [*values, "", ""][:2]
                rows.append((_field(field), _value(before), _value(after)))
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("field"),
            _("before"),
            _("after"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )
