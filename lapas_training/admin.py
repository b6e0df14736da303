"""The Django admin, scoped like the app: a non-superuser sees and picks only their facility's rows.

Every app's admin builds on `FacilityScopedAdmin` (or `FacilityScopedInline`), which narrows the
changelist, the change/delete/history pages, autocomplete answers and foreign-key choices to the
staff user's facility. Superusers see every facility.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from inmates.photos import sanitize_logo
from lapas_training.forms import FACILITY_ROLE_CHOICES, RoleFieldsMixin
from lapas_training.models import AuditEvent, Facility, Region, Role, User

# The admin carries the application's name (translated), not "Django administration".
admin.site.site_header = _("Lapas Training")
admin.site.site_title = _("Lapas Training")
admin.site.index_title = _("Data administration")


def limit_to_facility(request, queryset, facility_path):
    """`queryset` narrowed to what `request.user` may see in the admin (no query of its own).

    `facility_path` is the lookup from the model to its facility, e.g. "program__facility".
    """
    user = request.user
    if user.is_superuser:
        return queryset
    if user.role == Role.TRAINER:
        # The admin cannot express a trainer's partner scope, so it shows a trainer nothing
        # rather than the whole facility's inmate data.
        return queryset.none()
    return queryset.filter(**{facility_path: user.facility_id})


class FacilityScopedMixin:
    """Rows and foreign-key choices limited to the user's facility; for admins and inlines."""

    # The lookup from this model to its facility.
    facility_path = "facility"

    def get_queryset(self, request):
        return limit_to_facility(request, super().get_queryset(request), self.facility_path)

    def scoped_choices(self, request, model):
        """The rows of `model` the user may pick, scoped by that model's own admin, or None."""
        try:
            target = self.admin_site.get_model_admin(model)
        except NotRegistered:
            return None
        if not isinstance(target, FacilityScopedMixin):
            return None
        return target.get_queryset(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            choices = self.scoped_choices(request, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        if db_field.related_model is Facility and not request.user.is_superuser:
            # Their own facility is the only choice: preselect it instead of offering a blank.
            kwargs.update(required=True, empty_label=None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            choices = self.scoped_choices(request, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class FacilityScopedAdmin(FacilityScopedMixin, admin.ModelAdmin):
    """A ModelAdmin whose changelist, object pages and autocomplete stop at the facility.

    An object of another facility is simply not in `get_queryset`, so its change and delete
    pages redirect to the admin index as for a missing object, and autocomplete never offers it.
    """

    def get_list_filter(self, request):
        # A facility filter only means something to a superuser.
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [f for f in filters if _filter_name(f) != self.facility_path]


def _filter_name(list_filter):
    return list_filter[0] if isinstance(list_filter, tuple | list) else list_filter


class FacilityScopedInline(FacilityScopedMixin):
    """Mix into an InlineModelAdmin: its rows and choices stop at the facility."""


class ScopedHistoryAdmin(FacilityScopedAdmin, SimpleHistoryAdmin):
    """SimpleHistoryAdmin that shows a non-superuser only the history of their facility's rows.

    simple_history reads history straight from the historical table (even for a deleted row),
    so the same facility lookup is applied there: historical tables keep the foreign keys.
    """

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        records = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return limit_to_facility(request, records, self.facility_path)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # On a historical model `pk` is history_id; the tracked row's key keeps its own name.
        history = self.model.history.filter(
            **{self.model._meta.pk.attname: object_id, "history_id": version_id}
        )
        if not limit_to_facility(request, history, self.facility_path).exists():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


def logo_admin_form(model):
    """An admin ModelForm for `model` whose uploaded logo is checked and re-encoded."""

    class Meta:
        # The admin picks the fields; a list here would become its only fields.
        fields = "__all__"
        # A plain file field, so that only `sanitize_logo` parses the upload, under its limits,
        # rather than Django's ImageField trying every Pillow plugin on it first.
        field_classes = {"logo": forms.FileField}

    def clean_logo(self):
        logo = self.cleaned_data["logo"]
        # Otherwise the stored file (unchanged) or False (cleared): nothing new to check.
        return sanitize_logo(logo) if isinstance(logo, UploadedFile) else logo

    Meta.model = model
    return type(
        f"{model.__name__}AdminForm", (forms.ModelForm,), {"Meta": Meta, "clean_logo": clean_logo}
    )


class LogoAdminMixin:
    """Deletes a replaced or cleared logo file once the change is committed."""

    def save_model(self, request, obj, form, change):
        old_logo = form.initial.get("logo")
        super().save_model(request, obj, form, change)
        if old_logo and old_logo.name != obj.logo.name:
            # Once the row points elsewhere for good: a rolled-back save keeps the old logo whole.
            name, storage = old_logo.name, old_logo.storage
            transaction.on_commit(lambda: storage.delete(name))


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Regions decide who reads which facility's figures: a national operator's business only."""

    list_display = ("name", "office_name", "city")
    search_fields = ("name", "office_name", "city")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Facility)
class FacilityAdmin(LogoAdminMixin, FacilityScopedAdmin):
    form = logo_admin_form(Facility)
    facility_path = "pk"
    list_display = ("name", "kind", "grade", "unit_code", "city", "region", "head_name")
    list_filter = ("kind", "grade", "region")
    list_select_related = ("region",)
    search_fields = ("name", "unit_code", "city")

    def get_readonly_fields(self, request, obj=None):
        # Moving a facility to another region changes who reads its figures: superusers only.
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.is_superuser else (*readonly, "region")

    # Facilities are the top of the scoping: only a national operator creates or removes one.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class AccountRulesMixin(RoleFieldsMixin):
    """Role, partner, facility and region agree, as the database demands, with a readable
    message rather than the constraint's error."""

    def clean(self):
        cleaned = super().clean()
        facility, partner = cleaned.get("facility"), cleaned.get("partner")
        role, region = cleaned.get("role"), cleaned.get("region")
        is_superuser = cleaned.get("is_superuser", self.instance.is_superuser)
        if role == Role.REGIONAL:
            if "region" in self.fields and region is None:
                self.add_error("region", _("Choose the region a regional office account reads."))
            if facility is not None:
                self.add_error(
                    "facility",
                    _(
                        "A regional office account reads a region, not one facility: leave the "
                        "facility empty."
                    ),
                )
        elif region is not None:
            self.add_error(
                "region",
                _("Only a regional office account belongs to a region; leave the region empty."),
            )
        needs_facility = not is_superuser and role != Role.REGIONAL
        if "facility" in self.fields and facility is None and needs_facility:
            self.add_error(
                "facility", _("Choose a facility: every account except a superuser's needs one.")
            )
        if partner is not None and facility is not None and partner.facility_id != facility.pk:
            self.add_error("partner", _("The partner must belong to the account's facility."))
        return cleaned


class UserAddForm(AccountRulesMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)


class UserEditForm(AccountRulesMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


ACCOUNT_FIELDS = ("role", "facility", "partner", "region", "language")
# Fields that would let a facility administrator raise anyone's privileges beyond the facility.
PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(FacilityScopedAdmin, auth_admin.UserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    fieldsets = (
        *auth_admin.UserAdmin.fieldsets[:2],
        (_("Facility and role"), {"fields": ACCOUNT_FIELDS}),
        *auth_admin.UserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        *auth_admin.UserAdmin.add_fieldsets,
        (_("Facility and role"), {"fields": ACCOUNT_FIELDS}),
    )
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "facility",
        "partner",
        "region",
        "is_active",
        "is_staff",
    )
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "facility", "region")
    list_select_related = ("facility", "partner", "region")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("partner",)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, *PRIVILEGE_FIELDS, "region")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            # A facility administrator gives facility roles only, as on the app's user pages.
            kwargs["choices"] = FACILITY_ROLE_CHOICES
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(AuditEvent)
class AuditEventAdmin(FacilityScopedAdmin):
    """Read-only: the audit log is evidence, so no one edits, adds or deletes an event here."""

    list_display = ["at", "kind", "user", "username", "address", "object_label", "facility"]
    list_filter = ["kind"]
    search_fields = ["username", "object_label", "detail"]
    date_hierarchy = "at"
    list_select_related = ["user", "facility"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
