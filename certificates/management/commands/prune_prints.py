from django.conf import settings
from django.core.management.base import BaseCommand

from certificates.bulk import prune_prints


class Command(BaseCommand):
    help = (
        "Delete the files of bulk prints ready more than CERTIFICATE_PRINT_KEEP_DAYS days ago. "
        "Every bulk print runs this first; run it from cron where nobody prints for weeks."
    )

    def handle(self, *args, **options):
        deleted = prune_prints()
        self.stdout.write(
            f"{deleted} bulk print file(s) older than "
            f"{settings.CERTIFICATE_PRINT_KEEP_DAYS} days deleted."
        )
