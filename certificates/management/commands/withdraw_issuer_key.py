"""`manage.py withdraw_issuer_key SLUG NUMBER --reason TEXT`: disown a signing key that leaked.
`manage.py withdraw_issuer_key --all --reason TEXT`: disown every key, after CREDENTIAL_KEY
leaked (set the new CREDENTIAL_KEY first: the new keys are stored under it).

A withdrawn key leaves the issuer's DID document, so a credential signed with it, by us or by
whoever holds it, no longer verifies; every credential it signed, and the issuer's status lists,
are signed again by the newest key left, or by a new one (`credentials.withdraw_key`). All in
one transaction: a failure changes nothing.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction

from certificates import credentials
from certificates.models import Issuer


class Command(BaseCommand):
    help = (
        "Withdraw an issuer's signing key that leaked (or with --all every key, after "
        "CREDENTIAL_KEY leaked): it is no longer published, and the credentials it signed are "
        "signed again with a newer key."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "slug", nargs="?", metavar="SLUG", help="the issuer (its /issuers/<slug>/)"
        )
        parser.add_argument(
            "number", nargs="?", type=int, metavar="NUMBER", help="the key's number (#key-N)"
        )
        parser.add_argument(
            "--all", action="store_true", dest="every", help="withdraw every key of every issuer"
        )
        parser.add_argument("--reason", required=True, help="why, kept with the key")

    # English, like the other commands.
    @no_translations
    def handle(self, *args, slug, number, every, reason, **options):
        if every == (slug is not None):
            raise CommandError("Name an issuer and a key number, or give --all (not both).")
        try:
            with transaction.atomic():
                if every:
                    self._withdraw_all(reason)
                else:
                    self._withdraw_one(slug, number, reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages) + " Nothing was changed.") from error
        self.stdout.write(
            "Holders of a copy saved before get the new one from the verification page (the QR "
            "code)."
        )

    def _withdraw_one(self, slug, number, reason):
        issuer = Issuer.objects.select_related("facility", "partner").filter(slug=slug).first()
        if issuer is None:
            known = ", ".join(Issuer.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"No issuer {slug}; nothing changed. Issuers: {known or 'none yet'}."
            )
        key = issuer.keys.filter(number=number).first() if number is not None else None
        if key is None:
            numbers = ", ".join(str(n) for n in issuer.keys.values_list("number", flat=True))
            raise CommandError(f"{slug} has no key {number}; nothing changed. Keys: {numbers}.")
        signing, count = credentials.withdraw_key(key, reason=reason)
        did = credentials.did_of(issuer)
        self.stdout.write(
            f"{issuer.name}: {credentials.key_id(did, key)} withdrawn; no longer in the DID "
            f"document. {count} credential(s) signed again with {credentials.key_id(did, signing)}."
        )

    def _withdraw_all(self, reason):
        issuers = list(Issuer.objects.select_related("facility", "partner").order_by("slug"))
        for issuer in issuers:
            signing, count = credentials.withdraw_all_keys(issuer, reason=reason)
            self.stdout.write(
                f"{issuer.name}: every earlier key withdrawn; {count} credential(s) signed again "
                f"with {credentials.key_id(credentials.did_of(issuer), signing)}."
            )
        self.stdout.write(f"{len(issuers)} issuer(s) sign with a new key.")
