"""Open Badges 3.0 credentials (#14): who signs them, with which keys, and their revocation lists.

A certificate of completion is also a signed credential (`Credential`, a VC-JWT) that anyone can
check with its issuer's public key alone. The issuer is the facility, or for a discreet program
its lead partner, so that nothing in the credential names a prison. Nothing here is deleted:
an old credential must keep verifying against the keys and the status list it names.
Imported by `certificates.models`, so Django finds these models as the app's.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Bits in one status list: the W3C Bitstring Status List's minimum, so that the list a
# credential names says nothing about which of many holders an employer is checking.
STATUS_LIST_SIZE = 131_072


class Issuer(models.Model):
    """A signer of credentials: a facility, or a partner leading a discreet program.

    Its `did:web` identifier is built from PUBLIC_BASE_URL and `slug` (`certificates.credentials`);
    the slug never changes once a credential names it.
    """

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    facility = models.OneToOneField(
        "lapas_training.Facility",
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credential_issuer",
    )
    partner = models.OneToOneField(
        "programs.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credential_issuer",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credential issuer")
        verbose_name_plural = _("credential issuers")
        constraints = [
            models.CheckConstraint(
                condition=Q(facility__isnull=True, partner__isnull=False)
                | Q(facility__isnull=False, partner__isnull=True),
                name="certificates_issuer_facility_or_partner",
            ),
        ]

    def __str__(self):
        return self.slug

    @property
    def name(self):
        """The name credentials and the profile page give: the facility's or the partner's."""
        return (self.facility or self.partner).name


class IssuerKey(models.Model):
    """One ES256 (P-256) key pair of an issuer; the newest signs, the older ones still verify.

    The private key is a PKCS#8 PEM encrypted with CREDENTIAL_KEY (`certificates.credentials`)
    and never leaves the app; the public key is listed in the issuer's DID document as
    `#key-<number>`.
    """

    issuer = models.ForeignKey(
        Issuer, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="keys"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    public_jwk = models.JSONField(_("public key (JWK)"))
    private_key = models.TextField(_("private key, encrypted"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # A key that leaked is withdrawn: gone from the DID document, so nothing signed with it
    # verifies any more, and the credentials it signed are signed again by a newer key.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")
        ordering = ["issuer", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "number"], name="certificates_issuerkey_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="certificates_issuerkey_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_reason="")
                | (Q(withdrawn_at__isnull=False) & ~Q(withdrawn_reason="")),
                name="certificates_issuerkey_withdrawal_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.issuer.slug}#key-{self.number}"


class StatusList(models.Model):
    """One revocation list of an issuer: STATUS_LIST_SIZE bits, a set bit a revoked credential.

    `token` is the signed BitstringStatusListCredential as served, signed again whenever a bit
    changes so that serving it costs one read.
    """

    issuer = models.ForeignKey(
        Issuer, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="status_lists"
    )
    number = models.PositiveIntegerField(_("number"))
    token = models.TextField(_("signed list"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        ordering = ["issuer", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "number"], name="certificates_statuslist_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="certificates_statuslist_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.issuer.slug}/status/{self.number}"


class Credential(models.Model):
    """The signed Open Badges credential of one certificate of completion.

    Written once, at issue; revoking the certificate sets its bit in `status_list` and leaves
    the credential as it was. A reissued certificate gets a credential of its own.
    """

    certificate = models.OneToOneField(
        "certificates.Certificate",
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        related_name="credential",
    )
    issuer = models.ForeignKey(
        Issuer, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="credentials"
    )
    key = models.ForeignKey(
        IssuerKey, verbose_name=_("signed with"), on_delete=models.PROTECT, related_name="+"
    )
    status_list = models.ForeignKey(
        StatusList,
        verbose_name=_("status list"),
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    status_index = models.PositiveIntegerField(_("status list index"))
    token = models.TextField(_("signed credential (VC-JWT)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"],
                name="certificates_credential_unique_status_index",
            ),
            models.CheckConstraint(
                condition=Q(status_index__lt=STATUS_LIST_SIZE),
                name="certificates_credential_status_index_in_list",
            ),
        ]

    def __str__(self):
        return f"{self.certificate_id}: {self.status_list}#{self.status_index}"
