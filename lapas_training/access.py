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

from lapas_training.models import FACILITY_READER_ROLES, MANAGER_ROLES, Facility, Region, Role

ALL_ROLES = frozenset(Role)
ADMIN_ONLY = frozenset({Role.ADMIN})
MANAGERS = MANAGER_ROLES
READERS = FACILITY_READER_ROLES


@dataclass(frozen=True)
class Scope:
    """What a request may see. `facility` for the facility roles (a superuser's selected one);
    `region` for a regional user, who has no facility; `national` for a superuser, who may also
    read the roll-up of every facility."""

    facility: Facility | None
    role: str
    partner_id: int | None = None
    region: Region | None = None
    national: bool = False

    @property
    def is_trainer(self):
        return self.role == Role.TRAINER

    @property
    def reads_rollup(self):
        """Whether this scope may read the roll-up (aggregates) of several facilities."""
        return self.national or self.region is not None

    def rollup_facilities(self):
        """The facilities whose aggregates the roll-up pages count: the region's, or all of
        them for a superuser. A queryset (no query until used); none for other roles."""
        if self.national:
            return Facility.objects.all()
        if self.region is not None:
            return Facility.objects.filter(region=self.region)
        return Facility.objects.none()


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


def check_rollup(request):
    """Raise 403 unless the request's scope may read the roll-up (regional users, superusers)."""
    if not request.scope.reads_rollup:
        raise PermissionDenied


def rollup_required(view):
    """Login first, then the roll-up scope: anonymous users go to the login page, every
    facility role gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        check_rollup(request)
        return view(request, *args, **kwargs)

    return wrapper


def superuser_required(view):
    """Login first, then superuser: anonymous users go to the login page, everyone else 403
    (the national operator's own pages, such as choosing the facility to work in)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def in_rollup(queryset, scope, facility_path="facility"):
    """`queryset` narrowed to the rows of the scope's roll-up facilities (no query of its own);
    `facility_path` is the lookup from the model to its facility ("pk" for facilities). Fetch
    one object from it with get_object_or_404: a row outside the region is a 404."""
    return queryset.filter(**{f"{facility_path}__in": scope.rollup_facilities()})


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
