from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from lapas_training.backups import BackupError, create_backup
from lapas_training.storage import media_location


class Command(BaseCommand):
    help = (
        "Write one archive of the database and the media files (photos, scans, logos) into "
        "BACKUP_DIR. Safe while the app runs; run it nightly and copy the archives off the "
        "machine (see README, Backups)."
    )

    def handle(self, *args, **options):
        try:
            path = create_backup()
        except (BackupError, OSError) as error:
            raise CommandError(f"Backup failed: {error}") from error
        size = path.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {path} ({filesizeformat(size)}, {size} bytes).")
        )
        # With MEDIA_STORAGE=s3 the bucket was copied too; the operator should know from where.
        self.stdout.write(f"Media files read from {media_location(default_storage)}.")
