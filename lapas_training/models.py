from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

nip_validator = RegexValidator(r"^\d{18}$", _("Enter an NIP of exactly 18 digits."))

# What a certificate number pattern may name (certificates.services.format_number): a facility's
# series names its unit code, a partner's discreet series its own code and never the facility's.
NUMBER_PLACEHOLDERS = {"seq": 1, "month_roman": "VIII", "month": 8, "year": 2025}
MINISTRY_LINE = "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN REPUBLIK INDONESIA"


def _check_number_pattern(pattern, code):
    """Refuse a pattern that names an unknown placeholder, is malformed or has no {seq}.

    Without {seq} every certificate of a year would get the same number.
    """
    placeholders = {**NUMBER_PLACEHOLDERS, code: "X.Y"}
    try:
        pattern.format_map(placeholders)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        raise ValidationError(
            _("Use only the placeholders %(placeholders)s.")
            % {"placeholders": ", ".join(f"{{{name}}}" for name in placeholders)},
            code="invalid_placeholder",
        ) from None
    if pattern.format_map({**placeholders, "seq": 2}) == pattern.format_map(placeholders):
        raise ValidationError(
            _("The pattern must contain {seq}, the certificate's sequence number."),
            code="no_sequence",
        )


def validate_number_pattern(pattern):
    """A facility's pattern: {seq}, {unit_code}, {month_roman}, {month}, {year}."""
    _check_number_pattern(pattern, "unit_code")


def validate_partner_number_pattern(pattern):
    """A partner's discreet pattern: {partner_code} in place of the facility's {unit_code}."""
    _check_number_pattern(pattern, "partner_code")


class Region(models.Model):
    """A regional office (Kanwil) and the facilities it oversees: the regional role's reach."""

    name = models.CharField(
        _("name"), max_length=200, unique=True, help_text=_("E.g. Kanwil Kalimantan Tengah.")
    )
    office_name = models.CharField(
        _("office name"),
        max_length=200,
        blank=True,
        help_text=_(
            "As printed on reports, e.g. Kantor Wilayah Direktorat Jenderal Pemasyarakatan "
            "Kalimantan Tengah."
        ),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("admin:lapas_training_region_change", args=[self.pk])


class Facility(models.Model):
    """A prison or remand centre (UPT). Everything else is scoped to one."""

    class Kind(models.TextChoices):
        LAPAS = "lapas", _("Lapas")
        RUTAN = "rutan", _("Rutan")
        LPKA = "lpka", _("LPKA")
        OTHER = "other", _("Other UPT")

    class Grade(models.TextChoices):
        I = "I", _("Kelas I")  # noqa: E741
        IIA = "IIA", _("Kelas IIA")
        IIB = "IIB", _("Kelas IIB")
        III = "III", _("Kelas III")

    name = models.CharField(_("name"), max_length=200, unique=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
        help_text=_("The regional office (Kanwil) whose users read this facility's figures."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LAPAS)
    grade = models.CharField(_("class"), max_length=3, choices=Grade.choices, blank=True)
    unit_code = models.CharField(
        _("unit code"),
        max_length=30,
        unique=True,
        help_text=_("Short code used in certificate numbers, e.g. LPN.KSG."),
    )
    city = models.CharField(
        _("city"), max_length=100, help_text=_("Printed as the place of issue.")
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # The letterhead (kop surat) of every document the facility prints but certificates of
    # discreet programs: ministry, regional office, then the facility in full.
    letterhead_ministry = models.CharField(
        _("ministry line"), max_length=200, default=MINISTRY_LINE
    )
    letterhead_region = models.CharField(
        _("regional office line"),
        max_length=200,
        blank=True,
        help_text=_("E.g. KANTOR WILAYAH DIREKTORAT JENDERAL PEMASYARAKATAN KALIMANTAN TENGAH."),
    )
    letterhead_name = models.CharField(
        _("name on the letterhead"),
        max_length=200,
        blank=True,
        help_text=_(
            "The facility's name in full, e.g. LEMBAGA PEMASYARAKATAN NARKOTIKA KELAS IIA "
            "KASONGAN; empty: its short name."
        ),
    )
    head_name = models.CharField(_("head of facility"), max_length=200, blank=True)
    head_nip = models.CharField(
        _("head's NIP"), max_length=18, blank=True, validators=[nip_validator]
    )
    logo = models.ImageField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        help_text=_("Printed on certificates; a default emblem is used when empty."),
    )
    certificate_number_pattern = models.CharField(
        _("certificate number pattern"),
        max_length=100,
        default="{seq:03d}/{unit_code}/PK/{month_roman}/{year}",
        help_text=_("Placeholders: {seq}, {unit_code}, {month_roman}, {month}, {year}."),
        validators=[validate_number_pattern],
    )

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["lapas", "rutan", "lpka", "other"]),
                name="lapas_training_facility_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(grade__in=["", "I", "IIA", "IIB", "III"]),
                name="lapas_training_facility_grade_valid",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def head_office(self):
        """The head's office as printed over their signature, e.g. "Kepala Lapas … Kasongan"."""
        return f"Kepala {self.name}"

    def letterhead(self):
        """The letterhead's lines (without the logo), as printed and frozen into snapshots."""
        return {
            "ministry": self.letterhead_ministry,
            "region": self.letterhead_region,
            "name": self.letterhead_name or self.name,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
        }


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    STAFF = "staff", _("Staff")
    TRAINER = "trainer", _("Trainer")
    VIEWER = "viewer", _("Viewer")
    # A regional office (Kanwil) reader: aggregates of its region's facilities, never a person.
    REGIONAL = "regional", _("Regional office")


# Roles that may change a facility's programs, partners, sessions, inmates and enrolments.
MANAGER_ROLES = frozenset({Role.ADMIN, Role.STAFF})
# Roles that read everything of their facility.
FACILITY_READER_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.VIEWER})


class FacilityUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: belongs to one facility (trainers also to one partner); a
    regional user belongs to a region instead."""

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    partner = models.ForeignKey(
        "programs.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainers",
        help_text=_("Only for trainers: the partner they teach for."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Only for the regional office role: the region whose figures they read."),
    )
    language = models.CharField(
        _("language"),
        max_length=5,
        # Empty until the user picks one: Bahasa Indonesia, whatever the browser asks for.
        blank=True,
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        help_text=_("Empty means Bahasa Indonesia, the application's language."),
    )

    objects = FacilityUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["admin", "staff", "trainer", "viewer", "regional"]),
                name="lapas_training_user_role_valid",
            ),
            # A regional user reads a region, never one facility's records: no facility.
            models.CheckConstraint(
                condition=(Q(role="regional") & Q(facility__isnull=True))
                | (~Q(role="regional") & (Q(is_superuser=True) | Q(facility__isnull=False))),
                name="lapas_training_user_facility_required",
            ),
            models.CheckConstraint(
                condition=~Q(role="regional") | Q(region__isnull=False),
                name="lapas_training_user_regional_has_region",
            ),
            models.CheckConstraint(
                condition=Q(role="regional") | Q(region__isnull=True),
                name="lapas_training_user_region_only_for_regional",
            ),
            models.CheckConstraint(
                condition=~Q(role="trainer") | Q(partner__isnull=False),
                name="lapas_training_user_trainer_has_partner",
            ),
            models.CheckConstraint(
                condition=Q(role="trainer") | Q(partner__isnull=True),
                name="lapas_training_user_partner_only_for_trainer",
            ),
            models.CheckConstraint(
                condition=Q(language__in=["", "id", "en"]),
                name="lapas_training_user_language_valid",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_absolute_url(self):
        return reverse("user_update", args=[self.pk])

    @property
    def effective_role(self):
        """The role the app enforces: a superuser acts as admin of the facility it selected."""
        return Role.ADMIN if self.is_superuser else self.role

    @property
    def can_manage(self):
        return self.effective_role in MANAGER_ROLES

    @property
    def is_admin(self):
        return self.effective_role == Role.ADMIN

    @property
    def is_trainer(self):
        return self.effective_role == Role.TRAINER


class AuditEvent(models.Model):
    """One security-relevant action: who, when, from where, on what, and what changed.

    Written by `lapas_training.audit.record`, never edited or deleted but by `prune_audit` after
    settings.AUDIT_RETENTION_DAYS. `facility` is empty for what cannot be attributed to one: a
    failed login with an unknown username, a superuser's login.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Lockout")
        USER_CREATED = "user_created", _("User created")
        USER_CHANGED = "user_changed", _("User changed")
        CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
        CERTIFICATE_REISSUED = "certificate_reissued", _("Certificate reissued")
        CERTIFICATE_PRINTED = "certificate_printed", _("Certificate printed")
        EXPORT = "export", _("Export of inmate data")
        IMPORT = "import", _("Inmate import")
        DEPARTURE = "departure", _("Departure")
        DEPARTURE_UNDONE = "departure_undone", _("Departure undone")
        ATTENDANCE_CORRECTED = "attendance_corrected", _("Attendance corrected")
        PROGRAM_CLOSED = "program_closed", _("Program closed")
        PROGRAM_REOPENED = "program_reopened", _("Program reopened")
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-step verification enabled")

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(
        _("username tried"),
        max_length=150,
        blank=True,
        help_text=_("For failed logins: the username typed, even one that does not exist."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The object as "app_label.model" and its id rather than a ContentType: looking a content
    # type up may cost a query, and the record must stay one INSERT.
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "login",
                        "login_failed",
                        "lockout",
                        "user_created",
                        "user_changed",
                        "certificate_issued",
                        "certificate_revoked",
                        "certificate_reissued",
                        "certificate_printed",
                        "export",
                        "import",
                        "departure",
                        "departure_undone",
                        "attendance_corrected",
                        "program_closed",
                        "program_reopened",
                        "two_factor_enrolled",
                    ]
                ),
                name="lapas_training_auditevent_kind_valid",
            ),
        ]
        indexes = [
            # The audit page: a facility's events, newest first.
            models.Index(fields=["facility", "-at"], name="lapas_training_audit_fac_at"),
            # prune_audit: everything older than the retention.
            models.Index(fields=["at"], name="lapas_training_audit_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
