"""Who may see and do what: the one place every view asks.

A request carries a `Scope` (set by `ActiveFacilityMiddleware`): the facility the user works in
and, for trainers, their partner. Querysets narrow themselves with `.in_scope(scope)`, so a record
outside it is a 404; a role check before the view runs makes an action outside the role a 403.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from lapas_training.models import FACILITY_READER_ROLES, MANAGER_ROLES, Facility, Role

ALL_ROLES = frozenset(Role)
ADMIN_ONLY = frozenset({Role.ADMIN})
MANAGERS = MANAGER_ROLES
READERS = FACILITY_READER_ROLES


@dataclass(frozen=True)
class Scope:
    facility: Facility | None
    role: str
    partner_id: int | None = None

    @property
    def is_trainer(self):
        return self.role == Role.TRAINER


def check_role(request, roles):
    """Raise 403 unless the logged-in user's role is one of `roles` and a facility is active."""
    if request.user.effective_role not in roles or request.scope.facility is None:
        raise PermissionDenied


class RoleRequiredMixin(LoginRequiredMixin):
    """Login first, then the role: anonymous users go to the login page, others get 403."""

    roles = READERS

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        check_role(request, self.roles)
        return super().dispatch(request, *args, **kwargs)


def role_required(roles):
    """The function-view form of `RoleRequiredMixin`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_role(request, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
