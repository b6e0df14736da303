from django.contrib import admin

from lapas_training.admin import (
    FacilityScopedAdmin,
    FacilityScopedInline,
    LogoAdminMixin,
    ScopedHistoryAdmin,
    logo_admin_form,
)
from programs.models import (
    ActivityReport,
    Enrollment,
    Partner,
    PartnerAgreement,
    ProductPhoto,
    Program,
    ProgramEvent,
    ProgramEventGuest,
    ProgramPartner,
    ProgramTopic,
    SessionPhoto,
    TrainingSession,
)

# Filters on a foreign key list only the values present in the (scoped) changelist, so a
# facility administrator never sees another facility's programs or partners in the sidebar.
RelatedOnly = admin.RelatedOnlyFieldListFilter


class PartnerAgreementInline(FacilityScopedInline, admin.TabularInline):
    model = PartnerAgreement
    facility_path = "partner__facility"
    extra = 0


@admin.register(Partner)
class PartnerAdmin(LogoAdminMixin, FacilityScopedAdmin):
    form = logo_admin_form(Partner)
    list_display = ("name", "kind", "facility", "contact_person", "phone", "is_active")
    list_filter = ("kind", "is_active", "facility")
    list_select_related = ("facility",)
    search_fields = ("name", "license_number", "contact_person")
    inlines = [PartnerAgreementInline]


@admin.register(PartnerAgreement)
class PartnerAgreementAdmin(FacilityScopedAdmin):
    facility_path = "partner__facility"
    list_display = ("number", "partner", "title", "valid_from", "valid_to")
    list_filter = (("partner", RelatedOnly),)
    list_select_related = ("partner",)
    search_fields = ("number", "title", "partner__name")
    autocomplete_fields = ("partner",)
    date_hierarchy = "valid_to"


class ProgramTopicInline(FacilityScopedInline, admin.TabularInline):
    model = ProgramTopic
    facility_path = "program__facility"
    extra = 0


class ProgramPartnerInline(FacilityScopedInline, admin.TabularInline):
    model = ProgramPartner
    facility_path = "program__facility"
    autocomplete_fields = ("partner",)
    extra = 0


@admin.register(Program)
class ProgramAdmin(FacilityScopedAdmin):
    list_display = ("title", "facility", "skill_category", "start_date", "end_date", "status")
    list_filter = ("status", "skill_category", "facility")
    list_select_related = ("facility",)
    search_fields = ("title", "location")
    date_hierarchy = "start_date"
    inlines = [ProgramTopicInline, ProgramPartnerInline]


class ProgramEventGuestInline(FacilityScopedInline, admin.TabularInline):
    model = ProgramEventGuest
    facility_path = "event__program__facility"
    extra = 0


@admin.register(ProgramEvent)
class ProgramEventAdmin(FacilityScopedAdmin):
    facility_path = "program__facility"
    list_display = ("__str__", "program", "kind", "date", "place")
    list_filter = ("kind",)
    list_select_related = ("program",)
    search_fields = ("title", "place", "program__title", "guests__name")
    autocomplete_fields = ("program",)
    date_hierarchy = "date"
    inlines = [ProgramEventGuestInline]


@admin.register(ActivityReport)
class ActivityReportAdmin(FacilityScopedAdmin):
    facility_path = "program__facility"
    list_display = ("program", "updated_at", "updated_by")
    list_select_related = ("program", "updated_by")
    search_fields = ("program__title",)
    autocomplete_fields = ("program",)
    # Who wrote the texts last is recorded, not typed in: here as on the report's edit page.
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(TrainingSession)
class TrainingSessionAdmin(FacilityScopedAdmin):
    facility_path = "program__facility"
    list_display = ("program", "date", "start_time", "end_time", "topic", "status")
    list_filter = ("status", ("program", RelatedOnly))
    list_select_related = ("program", "topic")
    search_fields = ("program__title", "topic__title", "location")
    autocomplete_fields = ("program", "trainers", "cancelled_by")
    date_hierarchy = "date"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "topic":
            # Topics have no admin of their own (they are edited inline): scope them through
            # the programs the user may see, and name the program since titles repeat.
            kwargs["queryset"] = (
                ProgramTopic.objects.filter(program__in=self.scoped_choices(request, Program))
                .select_related("program")
                .order_by("program__title", "order")
            )
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda topic: f"{topic.program} – {topic}"
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedHistoryAdmin):
    facility_path = "program__facility"
    list_display = ("inmate", "program", "enrolled_on", "status", "assessment_result")
    list_filter = ("status", "assessment_result", ("program", RelatedOnly))
    list_select_related = ("inmate", "program")
    search_fields = ("inmate__full_name", "inmate__registration_number", "program__title")
    autocomplete_fields = ("program", "inmate", "enrolled_by")
    date_hierarchy = "enrolled_on"


class PhotoAdmin(FacilityScopedAdmin):
    """Photos are listed here only: uploads go through the session and program pages, which
    strip metadata (inmates.photos.sanitize_image) and remove the files on delete."""

    list_display = ("__str__", "caption", "uploaded_by", "uploaded_at")
    search_fields = ("caption",)
    date_hierarchy = "uploaded_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SessionPhoto)
class SessionPhotoAdmin(PhotoAdmin):
    facility_path = "session__program__facility"
    list_select_related = ("session__program", "uploaded_by")


@admin.register(ProductPhoto)
class ProductPhotoAdmin(PhotoAdmin):
    facility_path = "program__facility"
    list_select_related = ("program", "uploaded_by")
