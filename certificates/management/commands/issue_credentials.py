"""`manage.py issue_credentials [--dry-run]`: sign the credentials certificates issued before #14 lack.

Since #14 every certificate of completion is signed as an Open Badges credential when it is
issued; the ones issued before have none. This signs one for each valid (not revoked)
certificate of completion without one, as issuing would have: revoked certificates and
statements of participation get none. `credentials.create_credentials` signs one program's
certificates from one issuer, so they go a (program, discreet series) at a time, each in its own
transaction: an interruption keeps what was signed, and running it again signs only the rest.
Run it once after upgrading; it is safe beside a running app.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction
from django.db.models import Count

from certificates import credentials
from certificates.models import Certificate, Credential
from programs.models import Partner, Program


def pending():
    """The certificates that should have a credential and have none."""
    return Certificate.objects.filter(
        kind=Certificate.Kind.COMPLETION, revoked_at__isnull=True, credential__isnull=True
    )


def sign_group(program_id, partner_id):
    """Sign the credentials of one program's pending certificates of one series; their count.

    The certificates are locked and checked again first: one revoked (revoking locks it too) or
    signed by another run since they were counted is left alone. Two queries besides the
    signing's own.
    """
    with transaction.atomic():
        locked = list(
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrollment__program", "facility", "series_partner")
            .filter(
                kind=Certificate.Kind.COMPLETION,
                revoked_at__isnull=True,
                enrollment__program_id=program_id,
                series_partner_id=partner_id,
            )
            .order_by("pk")
        )
        signed = set(
            Credential.objects.filter(certificate__in=locked).values_list(
                "certificate_id", flat=True
            )
        )
        return len(credentials.create_credentials([c for c in locked if c.pk not in signed]))


class Command(BaseCommand):
    help = (
        "Sign an Open Badges credential for every valid certificate of completion that has "
        "none (those issued before credentials existed). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the certificates that would get a credential and change nothing.",
        )

    # English, like the other commands (the credentials themselves are signed in Indonesian).
    @no_translations
    def handle(self, *args, dry_run=False, **options):
        groups = list(
            pending()
            .values("enrollment__program_id", "series_partner_id")
            .annotate(count=Count("pk"))
            .order_by("enrollment__program_id", "series_partner_id")
        )
        programs = Program.objects.select_related("facility").in_bulk(
            {group["enrollment__program_id"] for group in groups}
        )
        partners = Partner.objects.in_bulk({group["series_partner_id"] for group in groups})
        total = 0
        for group in groups:
            program = programs[group["enrollment__program_id"]]
            issuer = partners.get(group["series_partner_id"]) or program.facility
            label = f"{program.title} (issuer: {issuer.name})"
            if dry_run:
                count = group["count"]
                self.stdout.write(f"{label}: {count} certificate(s) without a credential.")
            else:
                try:
                    count = sign_group(program.pk, group["series_partner_id"])
                except ValidationError as error:
                    raise CommandError(
                        f"Stopped at {label}: {' '.join(error.messages)} {total} credential(s) "
                        "signed before it are kept; run again once this is fixed."
                    ) from error
                self.stdout.write(f"{label}: {count} credential(s) signed.")
            total += count
        if dry_run:
            self.stdout.write(
                f"{total} certificate(s) would get a credential (dry run, nothing changed)."
            )
        else:
            self.stdout.write(f"{total} credential(s) signed.")
