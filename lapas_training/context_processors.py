from lapas_training.models import Facility


def navigation(request):
    """What the navigation bar needs: the active facility and, for superusers, the others."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context = {"active_facility": request.scope.facility}
    if user.is_superuser:
        # Lazy: the query runs only when the switcher renders.
        context["switchable_facilities"] = Facility.objects.order_by("name")
    return context
