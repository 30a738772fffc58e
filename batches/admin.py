from django.contrib import admin

from .models import Batch, BatchFailure


class FailureInline(admin.TabularInline):
    model = BatchFailure
    extra = 0
    can_delete = False
    readonly_fields = ["unit_code", "unit_name", "message"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_by", "status", "done", "total", "created_at"]
    list_filter = ["status"]
    list_select_related = ["node", "round", "created_by"]
    readonly_fields = [
        "round",
        "node",
        "created_by",
        "language",
        "base_url",
        "status",
        "total",
        "done",
        "file",
        "error",
        "task_id",
        "created_at",
        "started_at",
        "finished_at",
    ]
    inlines = [FailureInline]

    def has_add_permission(self, request) -> bool:
        return False  # batches are asked for from the comparison page
