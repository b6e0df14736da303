"""The audit page ("Log audit"): a facility's security-relevant events, for its admins.

Rows are only read here: nothing in the application edits or deletes an event (the Django admin
shows them read-only; `prune_audit` removes the ones past the retention).
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from lapas_training.access import ADMIN_ONLY, role_required
from lapas_training.models import AuditEvent, User
from lapas_training.spreadsheets import csv_response, safe_filename

PAGE_SIZE = 50
# Rows fetched per round trip by the CSV export.
CHUNK_SIZE = 2000

# Events no facility can be given (a failed login with an unknown username, the lockout that
# follows): on a one-prison install they are that prison's, so every admin sees them.
UNATTRIBUTED_KINDS = [AuditEvent.Kind.LOGIN_FAILED, AuditEvent.Kind.LOCKOUT]


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    user = forms.TypedChoiceField(label=gettext_lazy("User"), required=False, coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", _("All users")), *users]
        self.fields["kind"].choices = [("", _("All kinds")), *AuditEvent.Kind.choices]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned

    def filter(self, events):
        """`events` narrowed by the fields that are valid (an invalid one is shown, not used)."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("date_from"):
            events = events.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            events = events.filter(at__date__lte=data["date_to"])
        if data.get("user"):
            events = events.filter(user_id=data["user"])
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        return events


def visible_events(request):
    """The events the admin may read: their facility's, and those no facility can be given
    (failed logins and lockouts of unknown usernames). A superuser sees the selected facility's
    and every unattributed event, their own logins too. No query until evaluated."""
    unattributed = Q(facility__isnull=True)
    if not request.user.is_superuser:
        unattributed &= Q(kind__in=UNATTRIBUTED_KINDS)
    return AuditEvent.objects.filter(Q(facility=request.scope.facility) | unattributed)


@require_safe
@role_required(ADMIN_ONLY)
def audit_list(request):
    """The log, newest first, 50 to a page; `?export=csv` downloads what the filters select.

    Queries: the session, the user, the facility (scope), the facility's users (the filter's
    choices), the count and the page's events with their users.
    """
    users = User.objects.filter(facility=request.scope.facility).order_by("username")
    form = AuditFilterForm(request.GET, users=users.values_list("pk", "username"))
    events = form.filter(visible_events(request)).select_related("user").order_by("-at", "-pk")
    if request.GET.get("export") == "csv" and not form.errors:
        return _export(request, events)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter_form": form, "page_obj": page, "events": page.object_list}
    return render(request, "lapas_training/audit_list.html", context)


def _export(request, events):
    kinds = {value: str(label) for value, label in AuditEvent.Kind.choices}
    header = [
        _("Time"),
        _("Kind"),
        _("User"),
        _("Username"),
        _("IP address"),
        _("Object"),
        _("Detail"),
    ]
    rows = (
        [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            kinds.get(event.kind, event.kind),
            event.user.username if event.user else "",
            event.username,
            event.address,
            event.object_label,
            event.detail,
        ]
        for event in events.iterator(chunk_size=CHUNK_SIZE)
    )
    unit = request.scope.facility.unit_code
    filename = f"log-audit-{safe_filename(unit)}-{timezone.localdate():%Y%m%d}.csv"
    return csv_response(filename, header, rows)
