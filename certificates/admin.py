from django.contrib import admin

from certificates.models import Certificate, CompetencyAssessment, CompetencyResult, CompetencyUnit
from lapas_training.admin import FacilityScopedInline, ScopedHistoryAdmin

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


@admin.register(CompetencyUnit)
class CompetencyUnitAdmin(ScopedHistoryAdmin):
    facility_path = "program__facility"
    list_display = ("code", "title", "standard", "program")
    list_filter = ("standard",)
    list_select_related = ("program",)
    search_fields = ("code", "title", "program__title")
    autocomplete_fields = ("program",)


class CompetencyResultInline(FacilityScopedInline, admin.TabularInline):
    # Read here; recorded and corrected on the staff pages, which check that each unit is of
    # the participant's program (certificates.competency).
    model = CompetencyResult
    facility_path = "assessment__enrollment__program__facility"
    fields = ("unit", "result")
    readonly_fields = ("unit", "result")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CompetencyAssessment)
class CompetencyAssessmentAdmin(ScopedHistoryAdmin):
    facility_path = "enrollment__program__facility"
    list_display = ("enrollment", "assessed_on", "lsp_name", "certificate_number", "valid_until")
    list_select_related = ("enrollment__inmate", "enrollment__program")
    search_fields = ("lsp_name", "certificate_number", "enrollment__inmate__full_name")
    date_hierarchy = "assessed_on"
    readonly_fields = ("enrollment", "recorded_by", "recorded_at")
    inlines = [CompetencyResultInline]

    def has_add_permission(self, request):
        # Recorded on the staff page, which checks the units against the program.
        return False
