def navigation(request):
    """What the navigation bar needs: the active facility. A superuser switches from the
    picker page, so that no page lists every facility of a national install."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"active_facility": request.scope.facility}
