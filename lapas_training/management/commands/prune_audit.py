import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from lapas_training.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Delete audit events older than AUDIT_RETENTION_DAYS (default 730). Run it daily, "
        "e.g. beside the nightly backup; --dry-run only counts them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the events that would go; delete none."
        )

    def handle(self, *args, dry_run=False, **options):
        cutoff = timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
        old = AuditEvent.objects.filter(at__lt=cutoff)
        if dry_run:
            count = old.count()
            self.stdout.write(
                f"{count} audit events older than {cutoff:%Y-%m-%d} would be deleted."
            )
            return
        count, _ = old.delete()
        self.stdout.write(
            self.style.SUCCESS(f"{count} audit events older than {cutoff:%Y-%m-%d} deleted.")
        )
