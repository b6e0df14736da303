import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import DataError
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.defaults import bad_request

from lapas_training.access import Scope
from lapas_training.models import Facility, Role

logger = logging.getLogger(__name__)

SESSION_FACILITY_KEY = "active_facility_id"


# Where an anonymous visitor's pick on the login page is kept, for that browser session only.
SESSION_LANGUAGE_KEY = "language"


def chosen_language(request):
    """The language `request` is served in: the user's choice, else Bahasa Indonesia.

    The browser's Accept-Language is deliberately ignored: officers share machines set up in
    English, and the product speaks Indonesian unless a person asks for English.
    """
    user = request.user
    if user.is_authenticated:
        language = user.language
    else:
        language = request.session.get(SESSION_LANGUAGE_KEY, "")
    if language in dict(settings.LANGUAGES):
        return language
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Activates `chosen_language` for every request, in place of Django's LocaleMiddleware.

    Activating on every request (not only when a choice exists) keeps a previous request's
    language from lingering in a reused worker thread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def scope_for(request):
    user = request.user
    if not user.is_authenticated:
        return Scope(facility=None, role="")
    if user.is_superuser:
        # A superuser works in one facility at a time, chosen from the navigation bar.
        facilities = Facility.objects.order_by("name")
        facility_id = request.session.get(SESSION_FACILITY_KEY)
        facility = (facility_id and facilities.filter(pk=facility_id).first()) or facilities.first()
        return Scope(facility=facility, role=user.effective_role, national=True)
    if user.role == Role.REGIONAL:
        return Scope(facility=None, role=user.role, region=user.region)
    return Scope(
        facility=user.facility,
        role=user.role,
        partner_id=user.partner_id if user.is_trainer else None,
    )


class ActiveFacilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for(request))
        return self.get_response(request)


# When the session last served a request (seconds since the epoch), for the idle timeout.
SESSION_ACTIVITY_KEY = "last_activity"
# The stored time is refreshed at most this often: a session write on every request would cost
# queries on every page for a precision the timeout does not need.
ACTIVITY_RESOLUTION = 60


def record_activity(session, now=None):
    session[SESSION_ACTIVITY_KEY] = int(now if now is not None else time.time())


def start_activity(sender, request, user, **kwargs):
    """user_logged_in receiver: a new session starts active (and its first page writes nothing)."""
    record_activity(request.session)


class IdleTimeoutMiddleware:
    """Logs out a session unused for SESSION_IDLE_TIMEOUT seconds at its next request, and sends
    it to the login page with a message; SESSION_COOKIE_AGE still bounds a session in use.

    An unattended officer's PC in a block office must not stay logged in to inmate records.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(SESSION_ACTIVITY_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                # The login page that follows speaks the language the officer was using.
                language = translation.get_language()
                logout(request)
                request.session[SESSION_LANGUAGE_KEY] = language
                messages.info(
                    request,
                    _("You were logged out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60},
                )
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= ACTIVITY_RESOLUTION:
                record_activity(request.session, now)
        return self.get_response(request)


class OutOfRangeInputMiddleware:
    """Answers 400, with our page, when a value the client sent cannot even be looked up.

    An integer beyond 64 bits in a form field or a query string (a choice, an id) passes the
    form's own checks and then fails in the database: SQLite raises OverflowError, PostgreSQL a
    DataError. That is bad input, not a fault of the server; the surrounding transaction has
    rolled back, so nothing was saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError | DataError):
            logger.warning("Refused out-of-range input on %s: %s", request.path, exception)
            return bad_request(request, exception)
        return None
