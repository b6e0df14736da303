from django.contrib.auth.backends import ModelBackend

from lapas_training.models import Role, User

# The apps whose models a facility admin manages in the Django admin.
FACILITY_ADMIN_APPS = frozenset(
    {"lapas_training", "programs", "inmates", "attendance", "certificates"}
)


class RolePermissionBackend(ModelBackend):
    """A facility admin holds the Django admin permissions of the app's own models by role.

    No per-user permission rows to keep in step with the role: the admin classes
    (`lapas_training.admin.FacilityScopedAdmin`) narrow every page to the user's facility, and
    refuse what only a superuser may do (facilities, superuser flags, deleting history).
    """

    @staticmethod
    def _is_facility_admin(user_obj):
        return user_obj.is_active and user_obj.role == Role.ADMIN and user_obj.facility_id

    def has_perm(self, user_obj, perm, obj=None):
        if self._is_facility_admin(user_obj) and perm.partition(".")[0] in FACILITY_ADMIN_APPS:
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if self._is_facility_admin(user_obj) and app_label in FACILITY_ADMIN_APPS:
            return True
        return super().has_module_perms(user_obj, app_label)

    def get_user(self, user_id):
        # Every page's navigation bar names a trainer's partner or a regional user's region:
        # joined here, not a query per page.
        user = User._default_manager.select_related("partner", "region").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
