"""Django admin for the organisation, people and (read-only) assessments.

Individual answers are never registered here: no one but the participant sees them. The
assessment pages show counts only.
"""

import secrets
import time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from tillit import personal_data

from . import importing, workflow
from .admin_widgets import SafeAutocompleteMixin
from .models import (
    Action,
    ActionReminder,
    LanguagePreference,
    Role,
    Round,
    StateChange,
    Unit,
    UnitAssessment,
)

# Uploads larger than this are refused before parsing (50,000 units are about 2 MB).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# How long a previewed file may wait for its confirmation.
PREVIEW_MAX_AGE = 60 * 60


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than %(size)d MB. Split it into smaller files and "
                    "import them one after the other."
                )
                % {"size": MAX_UPLOAD_BYTES >> 20}
            )
        return upload


class CsvImportMixin:
    """An "Import from CSV" page on a changelist: upload, dry-run preview, confirm.

    The preview and the real import are the same service function on the same bytes. The
    previewed file waits on the server (never in the page, which would have to carry megabytes
    back); the page carries only an unguessable token, which the session ties to the user and
    to this kind of import. Confirming or cancelling deletes the file.
    """

    import_service = None  # importing.import_units or importing.import_roles
    import_title = ""
    import_help_template = ""

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def _session_key(self) -> str:
        return f"tillit.import.{self.model._meta.label_lower}"

    def _keep_preview(self, request: HttpRequest, data: bytes, file_name: str) -> str:
        """Keep the previewed file for its confirmation; returns the token the page carries."""
        token = secrets.token_urlsafe(32)
        request.session[self._session_key()] = {
            "token": token,
            "file": importing.keep_upload(data, max_age=PREVIEW_MAX_AGE),
            "name": file_name,
            "user": str(request.user.pk),
            "kept_at": time.time(),
        }
        return token

    def _drop_preview(self, request: HttpRequest) -> None:
        """Forget this user's waiting file of this kind (a newer upload replaces it)."""
        kept = request.session.pop(self._session_key(), None)
        if isinstance(kept, dict):
            importing.discard_upload(kept.get("file"))

    def _take_preview(self, request: HttpRequest) -> tuple[str, bytes] | None:
        """The file name and bytes the posted token stands for, no longer kept after this.

        None when the token is not the one this session holds for this kind of import (from
        another user, another import or an older preview) or the preview is too old.
        """
        kept = request.session.get(self._session_key())
        token = request.POST.get("token", "")
        if not isinstance(kept, dict) or not secrets.compare_digest(
            str(kept.get("token", "")).encode(), token.encode()
        ):
            return None
        del request.session[self._session_key()]
        data = importing.take_upload(kept.get("file"))  # deletes it
        fresh = time.time() - kept.get("kept_at", 0) <= PREVIEW_MAX_AGE
        if data is None or not fresh or kept.get("user") != str(request.user.pk):
            return None
        return kept.get("name", ""), data

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        changelist_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        form = CsvUploadForm()
        result = token = file_name = None
        if request.method == "POST" and "cancel" in request.POST:
            if self._take_preview(request) is not None:
                messages.info(request, _("The import was cancelled; nothing was imported."))
            return HttpResponseRedirect(changelist_url)
        if request.method == "POST" and "confirm" in request.POST:
            previewed = self._take_preview(request)
            if previewed is None:
                messages.error(
                    request,
                    _(
                        "This preview is no longer waiting to be imported: it has expired, a "
                        "newer upload replaced it, or it is not yours. Upload the file again."
                    ),
                )
                return HttpResponseRedirect(request.path)
            file_name, data = previewed
            result = self.import_service(data, actor=request.user, source="admin import")
            if result.ok:
                for line in result.summary():
                    messages.success(request, line)
                return HttpResponseRedirect(changelist_url)
        elif request.method == "POST":
            self._drop_preview(request)
            form = CsvUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                file_name = upload.name
                data = upload.read()
                result = self.import_service(data, dry_run=True)
                if result.ok and result.has_changes:
                    token = self._keep_preview(request, data, file_name)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": self.import_title,
            "form": form,
            "result": result,
            "token": token,
            "file_name": file_name,
            "changelist_url": changelist_url,
            "help_template": self.import_help_template,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/assessments/csv_import.html", context)


# ---------------------------------------------------------------------------------------
# Organisation and people
# ---------------------------------------------------------------------------------------


class RoleOnUnitInline(SafeAutocompleteMixin, admin.TabularInline):
    model = Role
    fields = ["user", "kind"]
    autocomplete_fields = ["user"]
    extra = 0
    verbose_name = _("person with a role here")
    verbose_name_plural = _("people with a role here (covers every unit beneath)")


class RoleOfUserInline(SafeAutocompleteMixin, admin.TabularInline):
    model = Role
    fields = ["unit", "kind"]
    autocomplete_fields = ["unit"]
    extra = 0
    verbose_name_plural = _("roles (each covers every unit beneath)")


@admin.register(Unit)
class UnitAdmin(CsvImportMixin, TreeAdmin):
    form = movenodeform_factory(Unit)
    change_list_template = "admin/assessments/unit/change_list.html"
    list_display = ["name", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    inlines = [RoleOnUnitInline]
    import_service = staticmethod(importing.import_units)
    import_title = _("Import units from CSV")
    import_help_template = "admin/assessments/unit/import_help.html"


@admin.register(Role)
class RoleAdmin(SafeAutocompleteMixin, CsvImportMixin, admin.ModelAdmin):
    list_display = ["user", "user_email", "kind", "unit", "unit_code"]
    list_filter = ["kind", "unit__kind"]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "unit__code",
        "unit__name",
    ]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]
    change_list_template = "admin/assessments/role/change_list.html"
    import_service = staticmethod(importing.import_roles)
    import_title = _("Import roles from CSV")
    import_help_template = "admin/assessments/role/import_help.html"

    @admin.display(description=_("e-mail"), ordering="user__email")
    def user_email(self, obj: Role) -> str:
        return obj.user.email

    @admin.display(description=_("unit code"), ordering="unit__code")
    def unit_code(self, obj: Role) -> str:
        return obj.unit.code


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class TillitUserAdmin(UserAdmin):
    """Django's user admin with the person's roles on units, a register extract (JSON) and
    deleting a person while the units' results stay (tillit.personal_data)."""

    inlines = [*UserAdmin.inlines, RoleOfUserInline]
    change_form_template = "admin/auth/user/tillit_change_form.html"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/registerutdrag/",
                self.admin_site.admin_view(self.extract_view),
                name="{}_{}_extract".format(*info),
            ),
            path(
                "<path:object_id>/ta-bort-person/",
                self.admin_site.admin_view(self.delete_person_view),
                name="{}_{}_delete_person".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_handle_personal_data": personal_data.may_handle(request.user),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _person(self, request: HttpRequest, object_id: str):
        if not personal_data.may_handle(request.user):
            raise PermissionDenied
        person = self.get_object(request, unquote(object_id))
        if person is None:
            raise Http404
        return person

    def extract_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Everything stored about the person, as a JSON file to hand over."""
        person = self._person(request, object_id)
        data = personal_data.extract(person)
        response = JsonResponse(
            data, json_dumps_params={"ensure_ascii": False, "indent": 2}, safe=True
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="registerutdrag-{person.pk}-{stamp}.json"'
        )
        self.log_change(request, person, _("Register extract exported."))
        return response

    def delete_person_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A confirmation page; the confirmed POST deletes the person and keeps the results."""
        person = self._person(request, object_id)
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[person.pk])
        if person.pk == request.user.pk:
            messages.error(request, _("You cannot delete yourself."))
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            name = str(person)
            personal_data.delete_person(person, by=request.user)
            messages.success(
                request,
                _(
                    "%(name)s is deleted, with their roles and login records. What they did "
                    "for the units is kept without their name."
                )
                % {"name": name},
            )
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Delete a person and keep the results"),
            "object": person,
            "roles": person.roles.select_related("unit").order_by("unit__path"),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/auth/user/delete_person.html", context)


# ---------------------------------------------------------------------------------------
# Rounds and assessments: looked at here, run in the application
# ---------------------------------------------------------------------------------------


class ViewOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Names and dates may be corrected; rounds are opened, and never deleted, elsewhere."""

    list_display = [
        "name",
        "root",
        "framework_version",
        "opens_on",
        "closes_on",
        "assessment_count",
        "completed_count",
    ]
    list_filter = ["framework_version", "opens_on"]
    search_fields = ["name", "root__name", "root__code"]
    list_select_related = ["root", "framework_version"]
    date_hierarchy = "opens_on"
    fields = [
        "name",
        ("opens_on", "closes_on"),
        "root",
        "framework_version",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["root", "framework_version", "created_by", "created_at"]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                assessment_total=Count("assessments"),
                completed_total=Count("assessments", filter=Q(assessments__state="completed")),
            )
        )

    @admin.display(description=_("unit assessments"), ordering="assessment_total")
    def assessment_count(self, obj: Round) -> int:
        return obj.assessment_total

    @admin.display(description=_("completed"), ordering="completed_total")
    def completed_count(self, obj: Round) -> int:
        return obj.completed_total

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class StateChangeInline(ViewOnlyMixin, admin.TabularInline):
    model = StateChange
    # The model's state fields have no verbose names (nor its rows a translated str): the
    # columns are named here, in the admin's language, and the raw row titles hidden (admin.css).
    fields = [
        "from_state_label",
        "to_state_label",
        "changed_by_label",
        "changed_at_label",
        "reason",
    ]
    readonly_fields = fields
    extra = 0
    classes = ["state-changes"]

    @admin.display(description=_("from state"))
    def from_state_label(self, change: StateChange) -> str:
        return change.get_from_state_display()

    @admin.display(description=_("to state"))
    def to_state_label(self, change: StateChange) -> str:
        return change.get_to_state_display()

    @admin.display(description=_("changed by"))
    def changed_by_label(self, change: StateChange) -> str:
        return str(change.changed_by) if change.changed_by else "–"

    @admin.display(description=_("changed at"))
    def changed_at_label(self, change: StateChange) -> str:
        return date_format(timezone.localtime(change.changed_at), "DATETIME_FORMAT")


class ReopenForm(forms.Form):
    """Why a completed assessment is reopened: kept in its history, which the manager sees."""

    reason = forms.CharField(
        label=_("Reason"),
        help_text=_(
            "Say why the assessment is reopened, e.g. which agreement was recorded wrongly. "
            "The reason is kept in the assessment's history, which the unit's manager sees."
        ),
        min_length=workflow.REASON_MIN,
        max_length=workflow.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


@admin.register(UnitAssessment)
class UnitAssessmentAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Counts only: individual answers are never shown in admin."""

    list_display = [
        "unit",
        "round",
        "state",
        "respondent_count",
        "finished_count",
        "action_count",
        "completed_at",
    ]
    list_filter = ["state", "round", "unit__kind", ("release", admin.EmptyFieldListFilter)]
    search_fields = ["unit__name", "unit__code", "round__name", "join_code"]
    list_select_related = ["unit", "round", "release"]
    fields = [
        "round",
        "unit",
        "state",
        "join_code",
        "expected_respondents",
        "released",
        "share_notes",
        "respondent_count",
        "finished_count",
        "action_count",
        "completed_at",
        "completed_by",
        "purged_at",
    ]
    readonly_fields = fields
    inlines = [StateChangeInline]
    change_form_template = "admin/assessments/unitassessment/change_form.html"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/reopen/",
                self.admin_site.admin_view(self.reopen_view),
                name="{}_{}_reopen".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_reopen_permission(self, request: HttpRequest, obj=None) -> bool:
        """Administrators who may look at the assessment may reopen it (never managers)."""
        user = request.user
        return (
            user.is_active
            and (user.is_staff or user.is_superuser)
            and self.has_view_permission(request, obj)
        )

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_reopen_permission": self.has_reopen_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def reopen_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Completed → dialogue with a reason: an intermediate page, then the workflow."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_reopen_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        change_url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )
        if not obj.is_completed:
            messages.error(
                request,
                _("Only a completed assessment can be reopened; this one is “%(state)s”.")
                % {"state": obj.get_state_display()},
            )
            return HttpResponseRedirect(change_url)
        if obj.is_purged:
            # Said before a reason is asked for: the workflow would refuse it anyway.
            messages.error(
                request,
                _(
                    "This assessment cannot be reopened: its individual answers were deleted "
                    "on %(date)s according to the retention rule."
                )
                % {"date": date_format(timezone.localtime(obj.purged_at), "DATE_FORMAT")},
            )
            return HttpResponseRedirect(change_url)
        form = ReopenForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                workflow.reopen_completed(obj, request.user, reason=reason)
            except workflow.WorkflowError as error:
                if error.code != "reason":
                    messages.error(request, error.message)
                    return HttpResponseRedirect(change_url)
                form.add_error("reason", error.message)
            else:
                self.log_change(
                    request,
                    obj,
                    _("Reopened for the dialogue. Reason: %(reason)s") % {"reason": reason},
                )
                messages.success(
                    request,
                    _(
                        "“%(assessment)s” is reopened for the dialogue: the manager can change "
                        "the agreements and complete it again."
                    )
                    % {"assessment": obj},
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Reopen a completed assessment"),
            "object": obj,
            "form": form,
            "change_url": change_url,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request,
            "admin/assessments/unitassessment/reopen.html",
            context,
            status=400 if form.errors else 200,
        )

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                respondent_total=Count("respondents", distinct=True),
                finished_total=Count(
                    "respondents",
                    filter=Q(respondents__finished_at__isnull=False),
                    distinct=True,
                ),
                action_total=Count("actions", distinct=True),
            )
        )

    @admin.display(description=_("participants"), ordering="respondent_total")
    def respondent_count(self, obj: UnitAssessment) -> int:
        # Once the respondents are deleted by the retention rule, the count kept then.
        return (obj.joined_respondents or 0) if obj.is_purged else obj.respondent_total

    @admin.display(description=_("finished answering"), ordering="finished_total")
    def finished_count(self, obj: UnitAssessment) -> int:
        return (obj.finished_respondents or 0) if obj.is_purged else obj.finished_total

    @admin.display(description=_("released figures"))
    def released(self, obj: UnitAssessment) -> str:
        """When figures were last released and from how many (counts only, no figures)."""
        made = obj.release
        if made is None:
            return "–"
        return _("no. %(number)d, %(when)s, %(n)d respondents") % {
            "number": made.number,
            "when": date_format(timezone.localtime(made.released_at), "SHORT_DATETIME_FORMAT"),
            "n": made.respondents,
        }

    @admin.display(description=_("actions"), ordering="action_total")
    def action_count(self, obj: UnitAssessment) -> int:
        return obj.action_total


@admin.register(Action)
class ActionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """What groups agreed to do, for follow-up; edited by the managers in the application."""

    list_display = ["title", "responsible", "due_on", "status", "assessment_label"]
    list_filter = ["status", "assessment__round"]
    search_fields = ["title", "responsible", "assessment__unit__name", "assessment__unit__code"]
    list_select_related = ["assessment__unit", "assessment__round"]
    date_hierarchy = "due_on"

    # The field has no verbose name: the column is named in the admin's language here.
    @admin.display(description=_("unit assessment"), ordering="assessment")
    def assessment_label(self, action: Action) -> str:
        return str(action.assessment)


@admin.register(ActionReminder)
class ActionReminderAdmin(admin.ModelAdmin):
    """Reminders sent: read-only, to answer "did the manager get one?"."""

    list_display = ("action", "kind", "due_on", "recipient", "sent_at")
    list_filter = ("kind",)
    date_hierarchy = "sent_at"
    list_select_related = ("action", "recipient")
    search_fields = ("action__title", "recipient__username", "recipient__email")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LanguagePreference)
class LanguagePreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    autocomplete_fields = ("user",)
