"""`manage.py anonymise_released [--dry-run]`: apply the personal data retention rule.

Released inmates whose release is PERSONAL_DATA_RETENTION_YEARS (default 5) or more years ago
lose their photos (the files too) and identifying fields: date of birth, block, room, admission
and expected release dates, and the registration number, which becomes `ANON-<id>`. The full
name stays on the inmate row: training history, rosters and reports of past programs must still
say who took part, and certificates print the name from their own frozen snapshot anyway.
Transferred inmates are left alone: the receiving facility keeps their data.

The same fields are cleared in the inmate's `HistoricalInmate` rows too, otherwise the change
history would keep the old values. Each inmate is processed once (`anonymised_on`). Run it
monthly from cron; see `inmates.retention` for the details.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from inmates.retention import anonymise_released


class Command(BaseCommand):
    help = (
        "Delete the photos and clear the identifying fields of inmates released "
        "PERSONAL_DATA_RETENTION_YEARS or more years ago, in their history rows too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the inmates that would be anonymised and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        report = anonymise_released(dry_run=dry_run)
        for row in report:
            self.stdout.write(
                f"{row.facility}: {row.registration_number} (released {row.departed_on})"
            )
        years = settings.PERSONAL_DATA_RETENTION_YEARS
        verb = "would be anonymised (dry run, nothing changed)" if dry_run else "anonymised"
        self.stdout.write(f"{len(report)} inmate(s) released {years} or more years ago {verb}.")
