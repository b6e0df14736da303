"""`manage.py withdraw_issuer_key SLUG NUMBER --reason TEXT`: disown a signing key that leaked.

The key leaves the issuer's DID document, so a credential signed with it, by us or by whoever
holds it, no longer verifies; every credential it signed, and the issuer's status lists, are
signed again by the newest key left, or by a new one (`credentials.withdraw_key`). All in one
transaction: a failure changes nothing.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations

from certificates import credentials
from certificates.models import Issuer


class Command(BaseCommand):
    help = (
        "Withdraw an issuer's signing key that leaked: it is no longer published, and the "
        "credentials it signed are signed again with a newer key."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="the issuer (its /issuers/<slug>/)")
        parser.add_argument("number", type=int, metavar="NUMBER", help="the key's number (#key-N)")
        parser.add_argument("--reason", required=True, help="why, kept with the key")

    # English, like the other commands.
    @no_translations
    def handle(self, *args, slug, number, reason, **options):
        issuer = Issuer.objects.select_related("facility", "partner").filter(slug=slug).first()
        if issuer is None:
            known = ", ".join(Issuer.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"No issuer {slug}; nothing changed. Issuers: {known or 'none yet'}."
            )
        key = issuer.keys.filter(number=number).first()
        if key is None:
            numbers = ", ".join(str(n) for n in issuer.keys.values_list("number", flat=True))
            raise CommandError(f"{slug} has no key {number}; nothing changed. Keys: {numbers}.")
        try:
            signing, count = credentials.withdraw_key(key, reason=reason)
        except ValidationError as error:
            raise CommandError(f"{' '.join(error.messages)} ({slug}, key {number})") from error
        did = credentials.did_of(issuer)
        self.stdout.write(
            f"{issuer.name}: {credentials.key_id(did, key)} withdrawn; no longer in the DID "
            f"document. {count} credential(s) signed again with {credentials.key_id(did, signing)}."
        )
        self.stdout.write(
            "Holders of a copy saved before get the new one from the verification page (the QR "
            "code)."
        )
