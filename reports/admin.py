"""Stored reports in admin: what is ready, waiting or failed, and why (read only)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import StoredComparison, StoredReport


@admin.register(StoredReport)
class StoredReportAdmin(admin.ModelAdmin):
    list_display = ["assessment", "language", "audience", "state", "version", "rendered_at"]
    list_filter = ["state", "language", "audience"]
    list_select_related = ["assessment__unit", "assessment__round"]
    search_fields = ["assessment__unit__name", "assessment__unit__code"]
    readonly_fields = [
        "assessment",
        "language",
        "audience",
        "state",
        "version",
        "rendered_version",
        "file",
        "preview",
        "queued_at",
        "started_at",
        "rendered_at",
        "error",
    ]
    exclude = ["fingerprint"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by completion and downloads, never by hand

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(StoredComparison)
class StoredComparisonAdmin(admin.ModelAdmin):
    list_display = ["node", "round", "language", "audience", "state", "version", "rendered_at"]
    list_filter = ["state", "language", "audience"]
    list_select_related = ["node", "round"]
    search_fields = ["node__name", "node__code", "round__name"]
    readonly_fields = [
        "round",
        "node",
        "language",
        "audience",
        "state",
        "version",
        "rendered_version",
        "file",
        "title",
        "queued_at",
        "started_at",
        "rendered_at",
        "error",
    ]
    # The HTML waiting to be rendered is large and says nothing an administrator needs.
    exclude = ["fingerprint", "wanted", "source"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by downloads, never by hand

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
