"""The audit log: who did what security-relevant thing, when, from which address.

Views and signal receivers call `record` once their action has succeeded; the audit page
(`lapas_training.views_audit`) shows the events to the facility's admins.
"""

import ipaddress
import logging

from django import forms
from django.db import DatabaseError, models
from django.utils.translation import gettext as _

from certificates.ratelimit import client_ip
from lapas_training.models import AuditEvent, User

logger = logging.getLogger(__name__)

Kind = AuditEvent.Kind


def record(request, *, kind, facility, user, obj=None, detail="", username=""):
    """Record one event: one INSERT, no other query.

    `request` (or None outside a request) gives the client's address; `obj` the object acted
    on (its label, type and id are kept, so the event outlives it). Never raises into the
    caller's flow: a failure to record is logged as an error, and the action stands. Values
    are cut to their columns' lengths, so that PostgreSQL does not refuse a long label.
    """
    try:
        AuditEvent.objects.create(**event(request, kind, facility, user, obj, detail, username))
    except (DatabaseError, ValueError, TypeError):
        logger.exception("Could not record the audit event %r", kind)


def record_many(request, *, kind, facility, user, objects, detail=""):
    """One event per object in `objects`, written by a single bulk INSERT (a batch of issued
    or revoked certificates). Never raises, like `record`."""
    try:
        AuditEvent.objects.bulk_create(
            AuditEvent(**event(request, kind, facility, user, obj, detail, "")) for obj in objects
        )
    except (DatabaseError, ValueError, TypeError):
        logger.exception("Could not record the audit events %r", kind)


def event(request, kind, facility, user, obj, detail, username):
    """The fields of one event (no query: ids are taken, nothing is fetched)."""
    fields = {
        "kind": kind,
        "facility_id": getattr(facility, "pk", facility),
        "user_id": user.pk if isinstance(user, User) and user.pk else None,
        "username": (username or (user.get_username() if isinstance(user, User) else ""))[:150],
        "address": address(request),
        "detail": str(detail),
    }
    if obj is not None:
        fields.update(
            object_type=obj._meta.label_lower[:100],
            object_id=obj.pk,
            object_label=str(obj)[:200],
        )
    return fields


def changes(form):
    """ "label: before → after" for each field a bound, valid ModelForm changed (passwords
    never). A changed foreign key costs a query for its old value's label."""
    parts = []
    for name in form.changed_data:
        if "password" in name:
            continue
        field = form.fields[name]
        before, after = form.initial.get(name), form.cleaned_data.get(name)
        parts.append(f"{field.label}: {shown(field, before)} → {shown(field, after)}")
    return "; ".join(parts)


def shown(field, value):
    """`value` of a form field as a person reads it: a choice's label, a row's name."""
    if value in (None, ""):
        return "–"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(field, forms.ModelChoiceField):
        return str(field.queryset.filter(pk=value).first() or value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(field, forms.BooleanField):
        return _("yes") if value else _("no")
    return str(value)


def address(request):
    """The client's address by the rate limit's rule (X-Real-IP only from TRUSTED_PROXIES);
    None outside a request or when it is not an IP address."""
    if request is None:
        return None
    try:
        # Checked here: PostgreSQL's inet column would refuse anything else, and abort the
        # caller's transaction with it.
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def login_succeeded(sender, request, user, **kwargs):
    """user_logged_in: the user's facility (none for a superuser)."""
    record(request, kind=Kind.LOGIN, facility=user.facility_id, user=user)


def login_failed(sender, credentials, request=None, **kwargs):
    """user_login_failed: the username as typed, and the facility of the user it names if one
    exists (one query). An unknown username has no facility: the audit page shows such events
    to every admin."""
    username = str(credentials.get("username", ""))
    record(
        request,
        kind=Kind.LOGIN_FAILED,
        facility=facility_of(username),
        user=None,
        username=username,
    )


def locked_out(sender, request, username, **kwargs):
    """axes' user_locked_out, which fires when a lockout begins and again on every attempt it
    refuses; only the first is recorded (axes counts failures only before the lockout), the
    refused attempts are failed logins already."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    record(
        request,
        kind=Kind.LOCKOUT,
        facility=facility_of(username or ""),
        user=None,
        username=username or "",
        detail=_("%(count)s failed logins") % {"count": failures},
    )


def facility_of(username):
    """The facility of the user named `username`, or None (unknown, or a superuser). One query."""
    return (
        User.objects.filter(username=username[:150]).values_list("facility_id", flat=True).first()
    )
