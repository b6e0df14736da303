from django.conf import settings
from django.core.management.base import BaseCommand

from lapas_training.reports import pdf_store


class Command(BaseCommand):
    help = (
        "Delete the stored report PDFs written more than REPORT_PDF_KEEP_DAYS days ago; a "
        "report asked for again is rendered anew. Run it from cron, e.g. with the backup."
    )

    def handle(self, *args, **options):
        deleted = pdf_store.prune()
        self.stdout.write(
            f"{deleted} stored report PDF(s) older than {settings.REPORT_PDF_KEEP_DAYS} days "
            "deleted."
        )
