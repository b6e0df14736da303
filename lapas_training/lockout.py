"""Lockout after failed logins: django-axes' database handler with a second, higher limit for an
address, and the login page (not axes' bare English text) as the lockout answer.

Axes compares one failure count with one limit; our rule has two (settings: AXES_FAILURE_LIMIT
for a username from one address, LOGIN_FAILURE_LIMIT_PER_ADDRESS for the address whatever the
usernames), so the handler folds the second into the count axes compares.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


class LockoutHandler(AxesDatabaseHandler):
    def recent_failures(self, request, credentials=None):
        """`(by_username, by_address)`: each `{"failures": n, "last": datetime or None}` within
        the cool-off. Two queries; AXES_LOCKOUT_PARAMETERS lists the username-and-address pair
        first, the address second."""
        return [
            attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            for attempts in self.get_user_attempts(request, credentials)
        ]

    def get_failures(self, request, credentials=None):
        """The failures of this username from this address; at least the limit once the address
        alone reached its own limit."""
        by_username, by_address = self.recent_failures(request, credentials)
        failures = by_username["failures"] or 0
        if (by_address["failures"] or 0) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures

    def locked_until(self, request, credentials=None):
        """When the lockout this request met ends: its last counted failure plus the cool-off."""
        by_username, by_address = self.recent_failures(request, credentials)
        ends = []
        if (by_username["failures"] or 0) >= settings.AXES_FAILURE_LIMIT:
            ends.append(by_username["last"])
        if (by_address["failures"] or 0) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            ends.append(by_address["last"])
        return max(ends, default=timezone.now()) + get_cool_off(request)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, saying until when logins are refused."""
    form = AuthenticationForm(
        request, initial={"username": get_client_username(request, credentials)}
    )
    context = {
        "form": form,
        "next": request.POST.get("next", ""),
        "locked_until": LockoutHandler().locked_until(request, credentials),
    }
    return render(request, "registration/login.html", context, status=429)
