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
