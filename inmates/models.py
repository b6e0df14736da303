from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lapas_training.models import Facility
from programs.models import Enrollment, Program


class InmateQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Inmates of the scope's facility; for a trainer only the participants of their programs
        (enrolled in any status in a program their partner is attached to)."""
        qs = self.filter(facility=scope.facility)
        if scope.is_trainer:
            taught = Enrollment.objects.filter(
                inmate=models.OuterRef("pk"), program__in=Program.objects.in_scope(scope)
            )
            qs = qs.filter(models.Exists(taught))
        return qs

    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(full_name__icontains=text) | Q(registration_number__icontains=text))


class Inmate(models.Model):
    """A WBP. Only the minimum personal data the training needs (UU 27/2022): no NIK, no offence."""

    class Gender(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In custody")
        RELEASED = "released", _("Released")
        TRANSFERRED = "transferred", _("Transferred")

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="inmates"
    )
    registration_number = models.CharField(
        _("registration number"), max_length=50, help_text=_("E.g. B.I-123/2025.")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    block = models.CharField(_("block"), max_length=50, blank=True)
    room = models.CharField(_("room"), max_length=50, blank=True)
    admission_date = models.DateField(_("admission date"), null=True, blank=True)
    expected_release_date = models.DateField(_("expected release date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    # Set by `inmates.services.record_departure`; the destination is free text because the
    # receiving facility need not use this install.
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    transfer_destination = models.CharField(_("transferred to"), max_length=200, blank=True)
    # Written only by `inmates.photos.sanitize_image` (re-encoded, random names) and served only
    # by `inmates.views.inmates.inmate_photo`: MEDIA_ROOT/private is never public.
    photo = models.ImageField(_("photo"), upload_to="private/inmates/", blank=True)
    photo_thumbnail = models.ImageField(
        _("photo thumbnail"), upload_to="private/inmates/", blank=True
    )
    # Set by `inmates.retention.anonymise_released` once the photos and identifying fields of a
    # long-released inmate are gone; such a row is never processed again.
    anonymised_on = models.DateField(_("personal data anonymised on"), null=True, blank=True)

    objects = InmateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inmate")
        verbose_name_plural = _("inmates")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "registration_number"],
                name="inmates_inmate_unique_registration_number",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "released", "transferred"]),
                name="inmates_inmate_status_valid",
            ),
            # In custody means no departure; a release has its date; a transfer its date and
            # destination. Only `record_departure` changes the status.
            models.CheckConstraint(
                condition=Q(status="active", departed_on__isnull=True, transfer_destination="")
                | Q(status="released", departed_on__isnull=False, transfer_destination="")
                | (
                    Q(status="transferred", departed_on__isnull=False) & ~Q(transfer_destination="")
                ),
                name="inmates_inmate_departure_consistent",
            ),
            models.CheckConstraint(
                condition=Q(gender__in=["L", "P"]), name="inmates_inmate_gender_valid"
            ),
            models.CheckConstraint(
                condition=~Q(registration_number=""), name="inmates_inmate_registration_required"
            ),
        ]
        indexes = [
            # The inmate list filtered by block within a facility.
            models.Index(fields=["facility", "block"], name="inmates_inmate_fac_block"),
            # The register page by page (`filtered_register`): WHERE facility ORDER BY
            # full_name, id LIMIT 50 OFFSET n reads the index in order instead of sorting all
            # of a facility's inmates for each page.
            models.Index(fields=["facility", "full_name", "id"], name="inmates_inmate_fac_name"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.registration_number})"

    def get_absolute_url(self):
        return reverse("inmates:inmate_detail", args=[self.pk])


class FollowUpConsent(models.Model):
    """Whether a released inmate agreed to be contacted after release (at 3, 6 and 12 months).

    Asked when the release is recorded and changeable later by staff and admins only; every
    change is kept in the history. Without a yes there is no follow-up
    (`inmates.outcomes.record_follow_up` refuses it) and the person is not counted in any rate.
    """

    inmate = models.OneToOneField(
        Inmate,
        verbose_name=_("inmate"),
        on_delete=models.PROTECT,
        related_name="follow_up_consent",
    )
    consented = models.BooleanField(_("consents to follow-up"))
    consented_on = models.DateField(_("answer given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent to follow-up")
        verbose_name_plural = _("consents to follow-up")

    def __str__(self):
        answer = _("yes") if self.consented else _("no")
        return f"{self.inmate}: {answer}"

    def get_absolute_url(self):
        return self.inmate.get_absolute_url()


class FollowUpQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Follow-ups of the scope's facility; none for a trainer, who never sees them."""
        if scope.is_trainer:
            return self.none()
        return self.filter(inmate__facility=scope.facility)


class FollowUp(models.Model):
    """What became of a released inmate who consented, at 3, 6 or 12 months after release.

    One per inmate and milestone; recorded again (edited) when a first try did not reach the
    person. Only a reached follow-up has a status and the details that go with it.
    """

    class Milestone(models.IntegerChoices):
        MONTHS_3 = 3, _("3 months")
        MONTHS_6 = 6, _("6 months")
        MONTHS_12 = 12, _("12 months")

    class Source(models.TextChoices):
        SELF = "self", _("The person")
        FAMILY = "family", _("Family")
        BAPAS = "bapas", _("Bapas (probation office)")

    class Status(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        OWN_BUSINESS = "own_business", _("Own business")
        TRAINING = "training", _("Further training")
        LOOKING = "looking", _("Looking for work")
        UNKNOWN = "unknown", _("Unknown")
        REOFFENDED = "reoffended", _("Re-offended")

    class IncomeBand(models.TextChoices):
        NONE = "none", _("No income")
        BELOW_1M = "below_1m", _("Under Rp 1,000,000 a month")
        FROM_1M = "1m_2_5m", _("Rp 1,000,000 to 2,500,000 a month")
        FROM_2_5M = "2_5m_5m", _("Rp 2,500,000 to 5,000,000 a month")
        ABOVE_5M = "above_5m", _("Over Rp 5,000,000 a month")

    inmate = models.ForeignKey(
        Inmate, verbose_name=_("inmate"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    milestone = models.PositiveSmallIntegerField(_("milestone"), choices=Milestone.choices)
    contacted_on = models.DateField(_("contacted on"))
    reached = models.BooleanField(_("reached"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, blank=True)
    employer = models.CharField(
        _("employer or kind of business"),
        max_length=200,
        blank=True,
        help_text=_("E.g. Bengkel Jaya Motor, or: selling bracelets at the market."),
    )
    uses_skill = models.BooleanField(_("uses the trained skill"), null=True, blank=True)
    income_band = models.CharField(
        _("income"), max_length=10, choices=IncomeBand.choices, blank=True
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    objects = FollowUpQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["inmate", "milestone"], name="inmates_followup_unique_milestone"
            ),
            models.CheckConstraint(
                condition=Q(milestone__in=[3, 6, 12]), name="inmates_followup_milestone_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["self", "family", "bapas"]),
                name="inmates_followup_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    income_band__in=["", "none", "below_1m", "1m_2_5m", "2_5m_5m", "above_5m"]
                ),
                name="inmates_followup_income_band_valid",
            ),
            # A person not reached has no outcome: the rates count only those reached.
            models.CheckConstraint(
                condition=Q(
                    reached=True,
                    status__in=[
                        "employed",
                        "own_business",
                        "training",
                        "looking",
                        "unknown",
                        "reoffended",
                    ],
                )
                | Q(
                    reached=False,
                    status="",
                    employer="",
                    uses_skill__isnull=True,
                    income_band="",
                ),
                name="inmates_followup_outcome_only_when_reached",
            ),
        ]

    def __str__(self):
        return f"{self.inmate}: {self.get_milestone_display()}"

    def get_absolute_url(self):
        return self.inmate.get_absolute_url()
