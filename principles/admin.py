"""Django admin for the framework.

Drafts are edited here; published and retired versions are shown read-only (no change or
delete permission), and the models themselves refuse changes as a second line of defence.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import (
    Dimension,
    FrameworkVersion,
    Principle,
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


class SupportingTextInline(DraftOnlyInline, admin.StackedInline):
    model = SupportingText
    fields = [("kind", "order", "key"), ("title_sv", "title_en"), ("body_sv", "body_en"), "source"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "status", "principle_count", "published_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "source"]
    readonly_fields = ["status", "based_on", "published_at", "created_at"]
    fields = ["name", "source", "status", "based_on", "published_at", "created_at"]
    inlines = [PrincipleInline, DimensionInline, SteeringPrincipleInline, SupportingTextInline]
    actions = ["copy_to_draft", "publish", "retire"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(principle_total=Count("principles"))

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

    @admin.action(description=_("Publish (after checking the draft is complete)"))
    def publish(self, request: HttpRequest, queryset) -> None:
        for version in queryset:
            try:
                services.publish(version)
            except services.PublishError as error:
                self.message_user(
                    request,
                    format_html(
                        "{}<ul>{}</ul>",
                        _("“%(name)s” was not published:") % {"name": version.name},
                        format_html_join("", "<li>{}</li>", ((p,) for p in error.problems)),
                    ),
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("“%(name)s” is published.") % {"name": version.name},
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


@admin.register(Principle)
class PrincipleAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["name_sv", "name_en", "key", "version", "order", "statement_count"]
    list_filter = ["version__status", "version"]
    search_fields = ["name_sv", "name_en", "key", "definition_sv", "statements__text_sv"]
    list_select_related = ["version"]
    ordering = ["version", "order"]
    fields = [
        "version",
        ("order", "key"),
        ("name_sv", "name_en"),
        ("definition_sv", "definition_en"),
        "definition_source",
        ("description_sv", "description_en"),
    ]
    inlines = [StatementInline, ReflectionQuestionInline]

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
