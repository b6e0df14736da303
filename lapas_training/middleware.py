from django.utils import translation
from django.utils.functional import SimpleLazyObject

from lapas_training.access import Scope
from lapas_training.models import Facility

SESSION_FACILITY_KEY = "active_facility_id"


class UserLanguageMiddleware:
    """A user's saved language wins over the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
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
        return Scope(facility=facility, role=user.effective_role)
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
