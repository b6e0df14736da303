"""`manage.py rotate_issuer_key SLUG [SLUG…] | --all`: give credential issuers a new signing key.

The new key signs every credential from now on; the old ones stay in the issuer's DID document,
so credentials signed before keep verifying (`credentials.rotate_key`). All the issuers named
change in one transaction, and an unknown one changes none: a typo must not leave half of a
planned rotation done.
"""

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction

from certificates import credentials
from certificates.models import Issuer


class Command(BaseCommand):
    help = (
        "Add a new signing key to the named credential issuers (the slug of /issuers/<slug>/), "
        "or to every issuer with --all. Old keys stay published: credentials signed before "
        "still verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="an issuer's identifier")
        parser.add_argument(
            "--all", action="store_true", dest="every", help="rotate the key of every issuer"
        )

    # English, like the other commands.
    @no_translations
    def handle(self, *args, slugs, every, **options):
        if every == bool(slugs):
            raise CommandError("Name the issuers to rotate, or give --all (not both).")
        issuers = Issuer.objects.select_related("facility", "partner").order_by("slug")
        if every:
            found = list(issuers)
            if not found:
                self.stdout.write("No issuer has signed a credential yet: nothing to rotate.")
                return
        else:
            found = list(issuers.filter(slug__in=slugs))
            missing = sorted(set(slugs) - {issuer.slug for issuer in found})
            if missing:
                known = ", ".join(issuers.values_list("slug", flat=True)) or "none yet"
                raise CommandError(
                    f"No issuer {', '.join(missing)}; nothing changed. Issuers: {known}."
                )
        with transaction.atomic():
            for issuer in found:
                did = credentials.did_of(issuer)
                old = issuer.keys.order_by("-number").first()
                new = credentials.rotate_key(issuer)
                self.stdout.write(
                    f"{issuer.name}: {credentials.key_id(did, old)} replaced by "
                    f"{credentials.key_id(did, new)} for signing (the old key stays published)."
                )
        self.stdout.write(f"{len(found)} issuer key(s) rotated.")
