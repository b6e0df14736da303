"""How long a released inmate's personal data is kept (UU 27/2022: no longer than needed).

`settings.PERSONAL_DATA_RETENTION_YEARS` after the release, `anonymise_released` deletes the
inmate's photos and clears the fields that identify or locate the person; see its docstring for
what stays and why. `manage.py anonymise_released` runs it, monthly from cron.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from inmates.models import FollowUp, Inmate

# What each identifying field becomes. The registration number is replaced per row (see
# `placeholder_registration_number`); the photo fields lose their files as well.
CLEARED_VALUES = {
    "birth_date": None,
    "block": "",
    "room": "",
    "admission_date": None,
    "expected_release_date": None,
    "photo": "",
    "photo_thumbnail": "",
}
PLACEHOLDER_PREFIX = "ANON-"
# What the person told of their life after release: who employs them, and the officer's note.
FOLLOW_UP_CLEARED_VALUES = {"employer": "", "note": ""}
# History rows may also hold a destination from a transfer later undone: where the person was held.
CLEARED_HISTORY_VALUES = {**CLEARED_VALUES, "transfer_destination": ""}


@dataclass(frozen=True)
class Anonymised:
    """One inmate `anonymise_released` cleared (or, in a dry run, would clear), as it was."""

    facility: str
    registration_number: str
    departed_on: datetime.date


def retention_cutoff(today, years):
    """The last release date whose personal data is due: `years` years before `today`."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        # 29 February in a year that has none.
        return today.replace(year=today.year - years, day=28)


def placeholder_registration_number(inmate):
    """A neutral stand-in for the registration number that identified the inmate.

    Built from the primary key, so no two rows share it and the unique number per facility
    holds; it says only that the data was removed.
    """
    return f"{PLACEHOLDER_PREFIX}{inmate.pk}"


def due_for_anonymisation(today):
    """Released inmates whose release is at least the retention period before `today` and that
    were not anonymised yet. Transferred inmates are never due: the receiving facility keeps
    their data, and a transfer recorded here is not a release."""
    cutoff = retention_cutoff(today, settings.PERSONAL_DATA_RETENTION_YEARS)
    return Inmate.objects.filter(
        status=Inmate.Status.RELEASED, departed_on__lte=cutoff, anonymised_on__isnull=True
    )


def anonymise_released(*, today=None, dry_run=False):
    """Anonymise every inmate `due_for_anonymisation`; return what was (or would be) cleared.

    Cleared on the inmate row: date of birth, block, room, admission and expected release dates,
    the photo and its thumbnail (their files under MEDIA_ROOT/private are deleted), and the
    registration number, replaced by `placeholder_registration_number`. `anonymised_on` is set,
    so a row is processed once. The change is one bulk update with history rows carrying the
    reason; then the same fields are cleared in every earlier `HistoricalInmate` row of those
    inmates, since simple_history would otherwise keep the old values for ever.

    Kept: the full name, gender, status and release date. The name stays because the inmate's
    training history, the program rosters, attendance sheets and reports of past programs are
    the facility's records of training it gave and must still say who took part; certificates
    and statements print the name from their own frozen snapshot, which is never touched here.
    Gender and the release date are kept for the figures of past programs.

    The follow-ups of those inmates lose their employer and note, in their history rows too
    (`_clear_follow_ups`).

    With `dry_run`, nothing is written. Queries: one select (locked), then per batch the
    update and history insert, one history select and one history update; for the follow-ups
    one select (locked), per batch the update and history insert, and one history update;
    files are deleted after the transaction.
    Call it outside a transaction: the files go as soon as this one commits.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        inmates = list(
            due_for_anonymisation(today)
            .select_related("facility")
            .select_for_update(of=("self",))
            .order_by("facility__name", "registration_number")
        )
        report = [
            Anonymised(inmate.facility.name, inmate.registration_number, inmate.departed_on)
            for inmate in inmates
        ]
        if dry_run or not inmates:
            return report
        history = Inmate.history.filter(id__in=[inmate.pk for inmate in inmates])
        files = {
            name for row in history.values_list("photo", "photo_thumbnail") for name in row if name
        }
        files |= {
            name
            for inmate in inmates
            for name in (inmate.photo.name, inmate.photo_thumbnail.name)
            if name
        }
        for inmate in inmates:
            for field, value in CLEARED_VALUES.items():
                setattr(inmate, field, value)
            inmate.registration_number = placeholder_registration_number(inmate)
            inmate.anonymised_on = today
        reason = _("Personal data anonymised %(years)d years after release") % {
            "years": settings.PERSONAL_DATA_RETENTION_YEARS
        }
        bulk_update_with_history(
            inmates,
            Inmate,
            [*CLEARED_VALUES, "registration_number", "anonymised_on"],
            default_change_reason=reason,
        )
        # Each history row takes its inmate's placeholder, built in SQL as
        # `placeholder_registration_number` builds it, so this is one query.
        history.update(
            **CLEARED_HISTORY_VALUES,
            registration_number=Concat(
                models.Value(PLACEHOLDER_PREFIX), Cast("id", models.CharField())
            ),
        )
        _clear_follow_ups(inmates, reason)
    storage = Inmate._meta.get_field("photo").storage
    for name in sorted(files):
        storage.delete(name)
    return report


def _clear_follow_ups(inmates, reason):
    """Empty FOLLOW_UP_CLEARED_VALUES in the follow-ups of `inmates` and in all their history
    rows. The outcome itself (milestone, reached, status, skill used, income band) stays: it
    names no one once the inmate is anonymised, and the outcome rates of past programs count it.
    """
    follow_ups = list(FollowUp.objects.filter(inmate__in=inmates).select_for_update())
    for follow_up in follow_ups:
        for name, value in FOLLOW_UP_CLEARED_VALUES.items():
            setattr(follow_up, name, value)
    if follow_ups:
        bulk_update_with_history(
            follow_ups, FollowUp, list(FOLLOW_UP_CLEARED_VALUES), default_change_reason=reason
        )
    FollowUp.history.filter(inmate_id__in=[inmate.pk for inmate in inmates]).update(
        **FOLLOW_UP_CLEARED_VALUES
    )
