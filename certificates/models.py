from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs.models import Enrollment, Program


class CertificateCounter(models.Model):
    """The last certificate sequence of a series in a year.

    A series is a facility's (partner empty) or, for discreet certificates, a lead partner's,
    so that a discreet number never names the facility. Issuing locks this row
    (select_for_update) inside its transaction and takes last + 1, so numbers are gap-free and
    never shared: a failed issue rolls the increment back with it.
    """

    facility = models.ForeignKey(
        "lapas_training.Facility",
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="certificate_counters",
    )
    partner = models.ForeignKey(
        "programs.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_counters",
        help_text=_("Set for a partner's series of discreet certificates."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last sequence"), default=0)

    class Meta:
        verbose_name = _("certificate counter")
        verbose_name_plural = _("certificate counters")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "year"],
                condition=Q(partner__isnull=True),
                name="certificates_certificatecounter_unique_year",
            ),
            models.UniqueConstraint(
                fields=["partner", "year"],
                condition=Q(partner__isnull=False),
                name="certificates_certificatecounter_unique_partner_year",
            ),
        ]

    def __str__(self):
        return f"{self.facility} {self.year}: {self.last}"


class Certificate(models.Model):
    """A certificate of completion or a statement of participation (certificates.services)."""

    class Kind(models.TextChoices):
        COMPLETION = "completion", _("Certificate of completion")
        PARTICIPATION = "participation", _("Statement of participation")

    enrollment = models.ForeignKey(
        "programs.Enrollment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    facility = models.ForeignKey(
        "lapas_training.Facility",
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.COMPLETION)
    series_partner = models.ForeignKey(
        "programs.Partner",
        verbose_name=_("discreet series of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The lead partner whose number series a discreet certificate takes."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=100, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=64, unique=True)
    snapshot = models.JSONField(_("printed content"), default=dict)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.TextField(_("reason for revoking"), blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(revoked_at__isnull=True),
                name="certificates_certificate_one_valid_per_enrollment",
            ),
            models.UniqueConstraint(
                fields=["facility", "year", "sequence"],
                condition=Q(series_partner__isnull=True),
                name="certificates_certificate_unique_sequence",
            ),
            models.UniqueConstraint(
                fields=["series_partner", "year", "sequence"],
                condition=Q(series_partner__isnull=False),
                name="certificates_certificate_unique_partner_sequence",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["completion", "participation"]),
                name="certificates_certificate_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="certificates_certificate_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="certificates_certificate_sequence_positive"
            ),
        ]
        indexes = [
            # The certificate list page by page (`CertificateListView`): WHERE facility ORDER BY
            # issued_at DESC, id DESC LIMIT 25 reads the index in order instead of sorting all
            # of a facility's certificates joined to their enrolments.
            models.Index(
                fields=["facility", "-issued_at", "-id"], name="certificates_cert_fac_issued"
            ),
            # The reports' certificates issued in a period (reports.figures.issued_in) filter on
            # the printed date of issue in the snapshot; without it the roll-up reads every
            # certificate's snapshot.
            models.Index(KT("snapshot__issued_on"), name="certificates_cert_issued_on"),
        ]

    def __str__(self):
        return self.number


class BulkPrint(models.Model):
    """One "Cetak semua" of a program: its valid certificates as one PDF or a ZIP of PDFs.

    The background task (certificates.bulk) renders them in parts and counts `done` up, which
    the page shows as a progress bar; the finished file stays under MEDIA_ROOT/private and is
    served only to the facility's admins.
    """

    class Format(models.TextChoices):
        PDF = "pdf", _("One PDF of all certificates")
        ZIP = "zip", _("A ZIP of one PDF per holder")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Printing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    facility = models.ForeignKey(
        "lapas_training.Facility",
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="bulk_prints",
    )
    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="bulk_prints",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    format = models.CharField(_("format"), max_length=3, choices=Format.choices)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("certificates"), default=0)
    done = models.PositiveIntegerField(_("certificates printed"), default=0)
    file = models.FileField(_("file"), upload_to="private/prints/", blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk print")
        verbose_name_plural = _("bulk prints")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=["pdf", "zip"]), name="certificates_bulkprint_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")),
                name="certificates_bulkprint_done_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.program} ({self.get_format_display()}, {self.requested_at:%Y-%m-%d %H:%M})"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        """Printed share, 0-100; the file is assembled after the last part, so 100 waits for it."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)


class CompetencyUnitQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Units of the programs the scope sees."""
        return self.filter(program__in=Program.objects.in_scope(scope))


class CompetencyUnit(models.Model):
    """A competency unit a program prepares for, e.g. SKKNI `C.10PBJ00.001.1`.

    An LSP (a certification body licensed by BNSP) assesses participants against these units
    (`CompetencyAssessment`); the units judged Kompeten are printed on the back of the
    completion certificate.
    """

    class Standard(models.TextChoices):
        SKKNI = "skkni", _("SKKNI")
        KKNI = "kkni", _("KKNI")
        OTHER = "other", _("Other standard")

    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="competency_units",
    )
    code = models.CharField(
        _("code"),
        max_length=60,
        help_text=_("As the standard writes it, e.g. C.10PBJ00.001.1."),
    )
    title = models.CharField(_("unit title"), max_length=255)
    standard = models.CharField(
        _("standard"), max_length=5, choices=Standard.choices, default=Standard.SKKNI
    )

    objects = CompetencyUnitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competency unit")
        verbose_name_plural = _("competency units")
        ordering = ["code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"], name="certificates_competencyunit_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(standard__in=["skkni", "kkni", "other"]),
                name="certificates_competencyunit_standard_valid",
            ),
            models.CheckConstraint(
                condition=~Q(code="") & ~Q(title=""),
                name="certificates_competencyunit_code_and_title",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("certificates:competency_units", args=[self.program_id])


class CompetencyAssessmentQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Assessments of the enrolments the scope sees."""
        return self.filter(enrollment__in=Enrollment.objects.in_scope(scope))


class CompetencyAssessment(models.Model):
    """One competency assessment (uji kompetensi) of a participant by an LSP.

    The LSP issues its own (BNSP) certificate to those judged competent; its number and expiry
    are recorded here. The result is per unit (`CompetencyResult`). A participant may be
    assessed again (after Belum kompeten): the latest result of a unit counts
    (certificates.competency).
    """

    enrollment = models.ForeignKey(
        "programs.Enrollment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="competency_assessments",
    )
    assessed_on = models.DateField(_("date of assessment"))
    lsp_name = models.CharField(
        _("certification body (LSP)"),
        max_length=200,
        help_text=_("The LSP licensed by BNSP that assessed, e.g. LSP P1 BLK Palangka Raya."),
    )
    assessor_name = models.CharField(_("assessor"), max_length=200)
    assessor_registration = models.CharField(
        _("assessor registration number"),
        max_length=60,
        help_text=_("The assessor's BNSP registration (MET) number."),
    )
    certificate_number = models.CharField(
        _("competency certificate number"),
        max_length=100,
        blank=True,
        help_text=_("Given by the LSP to those judged competent; empty otherwise."),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = CompetencyAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competency assessment")
        verbose_name_plural = _("competency assessments")
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("assessed_on")),
                name="certificates_competencyassessment_valid_after_date",
            ),
        ]

    def __str__(self):
        return f"{self.lsp_name} {self.assessed_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("certificates:competency_participant", args=[self.enrollment_id])


class CompetencyResult(models.Model):
    """One unit's result in an assessment: Kompeten or Belum kompeten."""

    assessment = models.ForeignKey(
        CompetencyAssessment,
        verbose_name=_("assessment"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    unit = models.ForeignKey(
        CompetencyUnit,
        verbose_name=_("competency unit"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    result = models.CharField(_("result"), max_length=15, choices=Enrollment.Result.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competency result")
        verbose_name_plural = _("competency results")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "unit"], name="certificates_competencyresult_unique_unit"
            ),
            models.CheckConstraint(
                condition=Q(result__in=["kompeten", "belum_kompeten"]),
                name="certificates_competencyresult_result_valid",
            ),
        ]

    def __str__(self):
        return f"{self.unit.code}: {self.get_result_display()}"


# The Open Badges credential models live in their own module; importing them here registers
# them as this app's models and lets callers import them from certificates.models.
from certificates.models_credentials import (  # noqa: E402, F401
    Credential,
    Issuer,
    IssuerKey,
    StatusList,
)
