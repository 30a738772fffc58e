"""Django admin for the governance chain.

The kinds, purposes and levels are framework content: edited in a draft version, read-only
once it is published (as the principles are). The signals and answers are the units' and
the levels' own statements: administrators can read them here, never change them.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from principles.admin import DraftOnlyMixin

from .models import SignalAnswer, SignalKind, SignalLevel, SignalPurpose, SteeringSignal


class ChainItemAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["name_sv", "name_en", "key", "order", "version"]
    list_filter = ["version"]
    search_fields = ["name_sv", "name_en", "key"]
    ordering = ["version", "order", "pk"]
    fields = [
        "version",
        ("order", "key"),
        ("name_sv", "name_en"),
        ("description_sv", "description_en"),
        "source",
    ]


admin.site.register(SignalKind, ChainItemAdmin)
admin.site.register(SignalPurpose, ChainItemAdmin)
admin.site.register(SignalLevel, ChainItemAdmin)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SteeringSignal)
class SteeringSignalAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "level", "kind", "hours_per_month", "effect", "proposal"]
    list_filter = ["effect", "proposal", "assessment__round"]
    search_fields = ["title", "assessment__unit__name", "assessment__unit__code"]
    list_select_related = ["assessment__unit", "level", "kind"]

    @admin.display(description=_("unit"), ordering="assessment__unit__name")
    def unit(self, obj: SteeringSignal) -> str:
        return obj.assessment.unit.name


@admin.register(SignalAnswer)
class SignalAnswerAdmin(ReadOnlyAdmin):
    list_display = ["signal", "status", "due_on", "answered_by", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["signal", "answered_by"]
