"""Django admin for the framework.

Drafts are edited here; published and retired versions are shown read-only (no change or
delete permission), and the models themselves refuse changes as a second line of defence.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import quotations, services
from .forms import PublishForm, QuotationGuardForm
from .models import (
    Dimension,
    FrameworkVersion,
    Principle,
    QuotationChange,
    ReflectionQuestion,
    Statement,
    SteeringPrinciple,
    SupportingText,
    VersionStatus,
)


def _editable(obj) -> bool:
    """Whether `obj` (a version, or an item of one) may still change."""
    if obj is None:
        return True
    version = obj if isinstance(obj, FrameworkVersion) else obj.framework_version()
    return version.is_editable


class DraftOnlyMixin:
    """Read-only in admin unless the object belongs to a draft."""

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and _editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and _editable(obj)


class DraftOnlyInline(DraftOnlyMixin):
    extra = 0

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not isinstance(self, admin.TabularInline):
            return formset

        class LabelledFormSet(formset):
            # Tabular rows show the field names only as column headings; give each input its
            # own accessible name (WCAG 2.1 AA: form elements must have labels).
            def add_fields(self, form, index) -> None:
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    field.widget.attrs.setdefault("aria-label", str(field.label or name))

        return LabelledFormSet

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_add_permission(request, obj) and _editable(obj)


class StatementInline(DraftOnlyInline, admin.TabularInline):
    model = Statement
    fields = ["order", "key", "text_sv", "text_en"]


class ReflectionQuestionInline(DraftOnlyInline, admin.TabularInline):
    model = ReflectionQuestion
    fields = ["order", "key", "text_sv", "text_en"]


class PrincipleInline(DraftOnlyInline, admin.TabularInline):
    model = Principle
    fields = ["order", "key", "name_sv", "name_en", "edit_link"]
    readonly_fields = ["edit_link"]
    show_change_link = True

    @admin.display(description=_("statements and questions"))
    def edit_link(self, obj: Principle) -> str:
        if not obj.pk:
            return "–"
        url = reverse("admin:principles_principle_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open"))


class DimensionInline(DraftOnlyInline, admin.StackedInline):
    model = Dimension
    fields = [
        ("order", "key"),
        ("name_sv", "name_en"),
        ("control_pole_sv", "control_pole_en"),
        ("trust_pole_sv", "trust_pole_en"),
    ]


class SteeringPrincipleInline(DraftOnlyInline, admin.StackedInline):
    model = SteeringPrinciple
    max_num = 3
    fields = [
        ("order", "key"),
        ("name_sv", "name_en"),
        ("keywords_sv", "keywords_en"),
        ("description_sv", "description_en"),
    ]


def _record_quotation_changes(request: HttpRequest, form) -> None:
    """After a confirmed change to a quotation is saved, record what it was and what it is."""
    before = getattr(form, "quotation_before", None)
    if before:
        quotations.record_changes(form.instance, before, request.user, before)


class SupportingTextInline(DraftOnlyInline, admin.StackedInline):
    model = SupportingText
    form = QuotationGuardForm
    fields = [
        ("kind", "order", "key"),
        ("title_sv", "title_en"),
        ("body_sv", "body_en"),
        ("source", "is_quotation"),
        "unlock_quotation",
    ]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "is_default",
        "principle_count",
        "published_at",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["name", "source"]
    readonly_fields = ["status", "is_default", "based_on", "published_at", "created_at"]
    fields = [
        "name",
        "name_en",
        "source",
        "status",
        "is_default",
        "based_on",
        "published_at",
        "created_at",
    ]
    inlines = [PrincipleInline, DimensionInline, SteeringPrincipleInline, SupportingTextInline]
    actions = ["copy_to_draft", "publish", "make_default", "retire"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(principle_total=Count("principles"))

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="{}_{}_publish".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("principles"), ordering="principle_total")
    def principle_count(self, obj: FrameworkVersion) -> int:
        return obj.principle_total

    @admin.action(description=_("Copy into a new draft"), permissions=["add"])
    def copy_to_draft(self, request: HttpRequest, queryset) -> HttpResponseRedirect | None:
        drafts = [services.copy_to_draft(version) for version in queryset]
        self.message_user(
            request,
            ngettext(
                "Created %(n)d draft with every item and key copied.",
                "Created %(n)d drafts with every item and key copied.",
                len(drafts),
            )
            % {"n": len(drafts)},
            messages.SUCCESS,
        )
        if len(drafts) == 1:
            return HttpResponseRedirect(
                reverse("admin:principles_frameworkversion_change", args=[drafts[0].pk])
            )
        return None

    @admin.action(description=_("Publish… (asks for the name)"))
    def publish(self, request: HttpRequest, queryset) -> HttpResponseRedirect | None:
        """Publishing asks for a name, so it goes on to a page of its own: one draft at a time."""
        versions = list(queryset[:2])
        if len(versions) != 1:
            self.message_user(request, _("Choose one draft to publish."), messages.ERROR)
            return None
        return HttpResponseRedirect(
            reverse("admin:principles_frameworkversion_publish", args=[versions[0].pk])
        )

    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Name the version, choose whether the published one retires, and publish."""
        version = self.get_object(request, unquote(object_id))
        if version is None:
            raise Http404
        if not self.has_change_permission(request, version):
            if version.is_editable:
                raise PermissionDenied
            self.message_user(
                request,
                _("“%(name)s” is %(status)s already; only a draft can be published.")
                % {"name": version.name, "status": version.get_status_display().lower()},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:principles_frameworkversion_changelist"))
        problems = services.completeness_problems(version)
        form = PublishForm(request.POST if request.method == "POST" else None, version=version)
        if form.is_bound and not problems and form.is_valid():
            try:
                published = form.save()
            except services.PublishError:
                pass  # the problems are on the form now
            else:
                retired = form.previous if form.cleaned_data.get("retire_previous") else []
                self._log_publish(request, published, retired)
                return HttpResponseRedirect(reverse("admin:principles_frameworkversion_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Publish “%(name)s”") % {"name": version.name},
            "object": version,
            "form": form,
            "problems": problems,
            "change_url": reverse("admin:principles_frameworkversion_change", args=[version.pk]),
        }
        return TemplateResponse(request, "admin/principles/frameworkversion/publish.html", context)

    def _log_publish(
        self, request: HttpRequest, version: FrameworkVersion, retired: list[FrameworkVersion]
    ) -> None:
        self.log_change(request, version, _("Published as “%(name)s”.") % {"name": version.name})
        for old in retired:
            self.log_change(
                request, old, _("Retired when “%(name)s” was published.") % {"name": version.name}
            )
        message = _("“%(name)s” is published and is the default for new rounds.") % {
            "name": version.name
        }
        if retired:
            message += " " + ngettext(
                "Retired: %(names)s.", "Retired: %(names)s.", len(retired)
            ) % {"names": ", ".join(f"“{v.name}”" for v in retired)}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Make the default for new rounds"))
    def make_default(self, request: HttpRequest, queryset) -> None:
        versions = list(queryset[:2])
        if len(versions) != 1:
            self.message_user(request, _("Choose one published version."), messages.ERROR)
            return
        try:
            version = services.make_default(versions[0])
        except services.PublishError as error:
            self.message_user(request, "; ".join(error.problems), messages.ERROR)
        else:
            self.message_user(
                request,
                _("“%(name)s” is now the default for new rounds.") % {"name": version.name},
                messages.SUCCESS,
            )

    @admin.action(description=_("Retire"))
    def retire(self, request: HttpRequest, queryset) -> None:
        for version in queryset:
            try:
                services.retire(version)
            except services.PublishError as error:
                self.message_user(request, "; ".join(error.problems), messages.ERROR)
            else:
                self.message_user(
                    request, _("“%(name)s” is retired.") % {"name": version.name}, messages.SUCCESS
                )

    def save_model(self, request, obj, form, change) -> None:
        try:
            super().save_model(request, obj, form, change)
        except ValidationError as error:  # pragma: no cover - permissions stop this first
            self.message_user(request, "; ".join(error.messages), messages.ERROR)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if inline_form.instance.pk and inline_form not in formset.deleted_forms:
                _record_quotation_changes(request, inline_form)


@admin.register(Principle)
class PrincipleAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["name_sv", "name_en", "key", "version", "order", "statement_count"]
    list_filter = ["version__status", "version"]
    search_fields = ["name_sv", "name_en", "key", "definition_sv", "statements__text_sv"]
    list_select_related = ["version"]
    ordering = ["version", "order"]
    form = QuotationGuardForm
    fields = [
        "version",
        ("order", "key"),
        ("name_sv", "name_en"),
        ("definition_sv", "definition_en"),
        "definition_source",
        "unlock_quotation",
        ("description_sv", "description_en"),
    ]
    inlines = [StatementInline, ReflectionQuestionInline]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        _record_quotation_changes(request, form)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(statement_total=Count("statements"))

    @admin.display(description=_("statements"), ordering="statement_total")
    def statement_count(self, obj: Principle) -> int:
        return obj.statement_total

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = FrameworkVersion.objects.filter(status=VersionStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Statement)
class StatementAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["text_sv", "key", "principle", "version_name"]
    list_filter = ["principle__version", "principle__key"]
    search_fields = ["text_sv", "text_en", "key"]
    list_select_related = ["principle__version"]

    @admin.display(description=_("framework version"), ordering="principle__version__name")
    def version_name(self, obj: Statement) -> str:
        return obj.principle.version.name


@admin.register(QuotationChange)
class QuotationChangeAdmin(admin.ModelAdmin):
    """The record of confirmed changes to official quotations: read only."""

    list_display = ["changed_at", "version", "item", "field_label", "changed_by"]
    list_filter = ["version"]
    list_select_related = ["version", "changed_by"]
    fields = ["changed_at", "version", "item", "field_label", "old_text", "new_text", "changed_by"]
    readonly_fields = fields

    @admin.display(description=_("field"), ordering="field")
    def field_label(self, obj: QuotationChange) -> str:
        for model in quotations.PROTECTED_FIELDS:
            try:
                return str(model._meta.get_field(obj.field).verbose_name)
            except FieldDoesNotExist:  # a field of the other model
                continue
        return obj.field

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
