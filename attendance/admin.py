from django.contrib import admin

from attendance.models import AttendanceRecord
from lapas_training.admin import ScopedHistoryAdmin


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(ScopedHistoryAdmin):
    facility_path = "session__program__facility"
    list_display = ("enrollment", "session", "status", "minutes_late", "recorded_by", "recorded_at")
    list_filter = ("status", ("session__program", admin.RelatedOnlyFieldListFilter))
    list_select_related = (
        "session__program",
        "enrollment__inmate",
        "enrollment__program",
        "recorded_by",
    )
    search_fields = (
        "enrollment__inmate__full_name",
        "enrollment__inmate__registration_number",
        "session__program__title",
    )
    autocomplete_fields = ("session", "enrollment", "recorded_by")
    date_hierarchy = "session__date"

    def has_delete_permission(self, request, obj=None):
        # Attendance is history: a wrong mark is corrected (and recorded), never deleted.
        return False
