from django.contrib import admin

from inmates.models import Inmate
from lapas_training.admin import ScopedHistoryAdmin


@admin.register(Inmate)
class InmateAdmin(ScopedHistoryAdmin):
    list_display = (
        "registration_number",
        "full_name",
        "facility",
        "gender",
        "block",
        "room",
        "status",
        "expected_release_date",
    )
    list_filter = ("status", "gender", "block", "facility")
    list_select_related = ("facility",)
    search_fields = ("full_name", "registration_number")
    date_hierarchy = "admission_date"
