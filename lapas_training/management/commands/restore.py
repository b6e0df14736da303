from django.core.management.base import BaseCommand, CommandError

from lapas_training.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive of `manage.py backup` into an empty database (DATABASE_URL) and an "
        "empty media folder (MEDIA_ROOT, or the bucket's S3_PREFIX with MEDIA_STORAGE=s3). "
        "Refuses when either holds data. Stop the app first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz file written by `manage.py backup`")

    def handle(self, *args, **options):
        try:
            rows = restore_backup(options["archive"])
        except BackupError as error:
            raise CommandError(f"Restore refused, nothing changed: {error}") from error
        except OSError as error:
            raise CommandError(f"Restore failed: {error}") from error
        width = max(len(label) for label, _archived, _restored in rows)
        self.stdout.write(f"  {'model'.ljust(width)}  archive  restored")
        for label, archived, restored in rows:
            mark = "" if archived == restored else "  MISMATCH"
            self.stdout.write(f"  {label.ljust(width)}  {archived:>7}  {restored:>8}{mark}")
        mismatched = [label for label, archived, restored in rows if archived != restored]
        if mismatched:
            raise CommandError(
                "Restored, but these row counts differ from the archive's: "
                + ", ".join(mismatched)
                + ". Do not use this database; restore again into a new one."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Restored {options['archive']}: every count matches.")
        )
