from django.contrib import admin

from certificates.models import Certificate
from lapas_training.admin import ScopedHistoryAdmin

# What an issued certificate printed; a correction is a revocation plus a new certificate.
FROZEN_FIELDS = (
    "enrollment",
    "facility",
    "kind",
    "year",
    "sequence",
    "number",
    "verification_code",
    "snapshot",
    "issued_at",
    "issued_by",
    "replaces",
)


@admin.register(Certificate)
class CertificateAdmin(ScopedHistoryAdmin):
    list_display = ("number", "enrollment", "kind", "facility", "issued_at", "revoked_at")
    list_filter = ("kind", ("revoked_at", admin.EmptyFieldListFilter), "facility")
    list_select_related = ("facility", "enrollment__inmate", "enrollment__program")
    search_fields = (
        "number",
        "verification_code",
        "enrollment__inmate__full_name",
        "enrollment__inmate__registration_number",
    )
    autocomplete_fields = ("enrollment", "issued_by", "revoked_by", "replaces")
    date_hierarchy = "issued_at"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return super().get_readonly_fields(request, obj)
        return FROZEN_FIELDS

    def has_delete_permission(self, request, obj=None):
        # Certificates are archived (revoked), never deleted: employers may still verify them.
        return False
