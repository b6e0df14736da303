from django.core.management.base import BaseCommand

from certificates import pdf_cache


class Command(BaseCommand):
    help = (
        "Delete the certificate PDFs stored by earlier releases of the app, which are never "
        "served again. Run it after an upgrade, or from cron."
    )

    def handle(self, *args, **options):
        deleted = pdf_cache.prune()
        self.stdout.write(f"{deleted} stored certificate PDF(s) of earlier releases deleted.")
