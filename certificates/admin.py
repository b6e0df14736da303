from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from certificates.credentials import did_of, key_id
from certificates.models import (
    Certificate,
    CompetencyAssessment,
    CompetencyResult,
    CompetencyUnit,
    Credential,
    Issuer,
    IssuerKey,
    StatusList,
)
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


# Signed credentials ------------------------------------------------------------------------
# Read-only, for the national operator: keys are made, rotated and credentials signed by the
# app and its commands (rotate_issuer_key, issue_credentials), never typed in. No private key,
# even encrypted, is shown.


class SuperuserReadOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IssuerKeyInline(SuperuserReadOnly, admin.TabularInline):
    model = IssuerKey
    fields = ("verification_method", "public_jwk", "created_at", "withdrawn_at", "withdrawn_reason")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        # Each row's verification method names its issuer's DID.
        return super().get_queryset(request).select_related("issuer")

    @admin.display(description=_("verification method"))
    def verification_method(self, key):
        return key_id(did_of(key.issuer), key)


@admin.register(Issuer)
class IssuerAdmin(SuperuserReadOnly, admin.ModelAdmin):
    list_display = ("slug", "name", "did", "created_at")
    list_select_related = ("facility", "partner")
    search_fields = ("slug", "facility__name", "partner__name")
    fields = ("slug", "did", "facility", "partner", "created_at")
    readonly_fields = fields
    inlines = [IssuerKeyInline]

    @admin.display(description=_("DID"))
    def did(self, issuer):
        return did_of(issuer)


@admin.register(StatusList)
class StatusListAdmin(SuperuserReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "issuer", "number", "updated_at")
    list_select_related = ("issuer",)
    fields = ("issuer", "number", "updated_at", "token")
    readonly_fields = fields


class RevokedFilter(admin.SimpleListFilter):
    title = _("revoked")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(certificate__revoked_at__isnull=self.value() == "no")
        return queryset


@admin.register(Credential)
class CredentialAdmin(SuperuserReadOnly, admin.ModelAdmin):
    list_display = ("certificate", "issuer", "status_list", "status_index", "revoked", "created_at")
    list_select_related = ("certificate", "issuer", "status_list__issuer")
    list_filter = (RevokedFilter, "issuer")
    search_fields = ("certificate__number", "certificate__verification_code")
    date_hierarchy = "created_at"
    fields = ("certificate", "issuer", "key", "status_list", "status_index", "created_at", "token")
    readonly_fields = fields

    @admin.display(description=_("revoked"), boolean=True)
    def revoked(self, credential):
        return credential.certificate.revoked_at is not None
