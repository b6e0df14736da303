import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lapas_training.models import Facility, validate_partner_number_pattern


class PartnerQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Partners of the scope's facility; a trainer sees only their own partner."""
        qs = self.filter(facility=scope.facility)
        if scope.is_trainer:
            qs = qs.filter(pk=scope.partner_id)
        return qs


class Partner(models.Model):
    """A training partner of one facility: a BLK, an LPK, a UMKM or another organisation."""

    class Kind(models.TextChoices):
        BLK = "blk", _("BLK")
        LPK = "lpk", _("LPK")
        UMKM = "umkm", _("UMKM")
        OTHER = "other", _("Other")

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="partners"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    license_number = models.CharField(
        _("licence number"), max_length=100, blank=True, help_text=_("For an LPK: its licence.")
    )
    address = models.TextField(_("address"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    head_name = models.CharField(
        _("head's name"), max_length=200, blank=True, help_text=_("Signs certificates.")
    )
    head_title = models.CharField(
        _("head's title"),
        max_length=200,
        blank=True,
        help_text=_("E.g. Kepala BLK Kota Palangka Raya."),
    )
    head_nip = models.CharField(_("head's NIP"), max_length=18, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        help_text=_("Printed on certificates when the partner leads the program."),
    )
    certificate_code = models.CharField(
        _("certificate code"),
        max_length=30,
        blank=True,
        help_text=_(
            "Short code in the numbers of discreet certificates this partner issues, e.g. "
            "BLK-PKY. Unique in the whole installation."
        ),
    )
    certificate_number_pattern = models.CharField(
        _("certificate number pattern"),
        max_length=100,
        default="{seq:03d}/{partner_code}/{month_roman}/{year}",
        validators=[validate_partner_number_pattern],
        help_text=_(
            "For discreet certificates. Placeholders: {seq}, {partner_code}, {month_roman}, "
            "{month}, {year}."
        ),
    )

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "name"], name="programs_partner_unique_name_per_facility"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["blk", "lpk", "umkm", "other"]),
                name="programs_partner_kind_valid",
            ),
            # Discreet numbers name the partner, not the facility: two series must never meet.
            models.UniqueConstraint(
                fields=["certificate_code"],
                condition=~Q(certificate_code=""),
                name="programs_partner_unique_certificate_code",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programs:partner_detail", args=[self.pk])


class PartnerAgreement(models.Model):
    """A cooperation agreement (PKS / MoU) with a validity period."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="agreements"
    )
    number = models.CharField(_("agreement number"), max_length=100)
    title = models.CharField(_("title"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-valid_to"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "number"], name="programs_partneragreement_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")),
                name="programs_partneragreement_valid_to_after_from",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return self.partner.get_absolute_url()

    @property
    def state(self):
        """'expired', 'expiring' (within the warning window), 'active' or 'future'."""
        today = timezone.localdate()
        if self.valid_to < today:
            return "expired"
        if self.valid_from > today:
            return "future"
        if self.valid_to <= today + datetime.timedelta(days=settings.AGREEMENT_EXPIRY_WARNING_DAYS):
            return "expiring"
        return "active"


class SkillCategory(models.TextChoices):
    HANDICRAFT = "handicraft", _("Handicraft")
    CULINARY = "culinary", _("Culinary")
    AGRICULTURE = "agriculture", _("Agriculture and livestock")
    FISHERY = "fishery", _("Fishery")
    AUTOMOTIVE = "automotive", _("Automotive and workshop")
    CARPENTRY = "carpentry", _("Carpentry and furniture")
    SEWING = "sewing", _("Sewing and tailoring")
    BARBERING = "barbering", _("Barbering and beauty")
    LAUNDRY = "laundry", _("Laundry")
    DIGITAL = "digital", _("Computers and digital skills")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")
    OTHER = "other", _("Other")


class ProgramQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Programs of the scope's facility; a trainer sees only those their partner runs."""
        qs = self.filter(facility=scope.facility)
        if scope.is_trainer:
            qs = qs.filter(
                pk__in=ProgramPartner.objects.filter(partner_id=scope.partner_id).values("program")
            )
        return qs

    def with_counts(self):
        """Annotate participant and session counts for list pages (no extra queries).

        Each count is a correlated subquery, not a join with GROUP BY: a paginated list then
        counts only its page's programs, and the paginator's COUNT leaves them out.
        """

        def counted(rows):
            # order_by(): Enrollment's Meta.ordering would otherwise join the inmates.
            return Coalesce(
                models.Subquery(
                    rows.order_by().values("program").annotate(n=models.Count("pk")).values("n"),
                    output_field=models.IntegerField(),
                ),
                0,
            )

        return self.annotate(
            participant_count=counted(
                Enrollment.objects.filter(
                    program=models.OuterRef("pk"), status=Enrollment.Status.ACTIVE
                )
            ),
            session_count=counted(
                TrainingSession.objects.filter(
                    program=models.OuterRef("pk"), status=TrainingSession.Status.SCHEDULED
                )
            ),
        )


class Program(models.Model):
    """A training program (pelatihan kemandirian) run by a facility with its partners."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        # Closed by an admin after its last session (certificates.closing): outcomes are fixed.
        COMPLETED = "completed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="programs"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    skill_category = models.CharField(
        _("skill category"), max_length=20, choices=SkillCategory.choices
    )
    location = models.CharField(_("location"), max_length=200, help_text=_("E.g. Aula Utama."))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1)], help_text=_("Maximum participants.")
    )
    attendance_threshold = models.PositiveSmallIntegerField(
        _("attendance threshold (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Minimum attendance for completion."),
    )
    assessment_required = models.BooleanField(
        _("assessment required"),
        default=True,
        help_text=_("Completion also needs the result Kompeten."),
    )
    discreet_issuing = models.BooleanField(
        _("discreet issuing"),
        default=False,
        help_text=_(
            "Certificates name the lead partner as issuer and never the facility, so that they "
            "do not reveal imprisonment to an employer."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    partners = models.ManyToManyField(
        Partner, through="ProgramPartner", related_name="programs", verbose_name=_("partners")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="programs_program_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="programs_program_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(attendance_threshold__gte=0, attendance_threshold__lte=100),
                name="programs_program_threshold_percent",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "completed", "cancelled"]),
                name="programs_program_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(skill_category__in=SkillCategory.values),
                name="programs_program_skill_category_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(closed_at__isnull=False),
                name="programs_program_closed_has_date",
            ),
        ]
        indexes = [
            # The program list: one facility's programs, newest first.
            models.Index(fields=["facility", "-start_date"], name="programs_program_fac_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programs:program_detail", args=[self.pk])

    @property
    def accepts_enrolment(self):
        """Draft and active programs take participants; completed and cancelled ones do not."""
        return self.status in {self.Status.DRAFT, self.Status.ACTIVE}

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_closed(self):
        """Closed after its last session: outcomes fixed, attendance and results locked."""
        return self.status == self.Status.COMPLETED

    @property
    def total_jp(self):
        """Sum of the topics' JP (one query unless topics were prefetched)."""
        if "topics" in getattr(self, "_prefetched_objects_cache", {}):
            return sum(topic.jp for topic in self.topics.all())
        return self.topics.aggregate(total=Sum("jp"))["total"] or 0


class ProgramStatusChange(models.Model):
    """A program closed or reopened: by whom, when and, for a reopening, why."""

    class Action(models.TextChoices):
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("program status change")
        verbose_name_plural = _("program status changes")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["closed", "reopened"]),
                name="programs_programstatuschange_action_valid",
            ),
            models.CheckConstraint(
                condition=Q(action="closed") | ~Q(reason=""),
                name="programs_programstatuschange_reopen_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.program}: {self.get_action_display()} ({self.at:%Y-%m-%d})"


class ProgramEvent(models.Model):
    """A ceremony of a program (the opening, the closing) with its guests, as the activity
    report and the news item tell it."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening")
        CLOSING = "closing", _("Closing")
        OTHER = "other", _("Other event")

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Only for another event, e.g. a visit or an exhibition."),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, help_text=_("E.g. Aula Utama."))
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("What happened, as the report should tell it.")
    )

    class Meta:
        verbose_name = _("program event")
        verbose_name_plural = _("program events")
        ordering = ["date", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["opening", "closing", "other"]),
                name="programs_programevent_kind_valid",
            ),
            # A program opens once and closes once; other events may be many.
            models.UniqueConstraint(
                fields=["program", "kind"],
                condition=Q(kind__in=["opening", "closing"]),
                name="programs_programevent_one_opening_one_closing",
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(title=""),
                name="programs_programevent_other_has_title",
            ),
        ]

    def __str__(self):
        return self.title or self.get_kind_display()

    def get_absolute_url(self):
        return self.program.get_absolute_url()


class ProgramEventGuest(models.Model):
    """A guest of a program event: name, position and organisation, as the report lists them."""

    event = models.ForeignKey(
        ProgramEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="guests"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(
        _("position"), max_length=200, blank=True, help_text=_("E.g. Kepala Lapas.")
    )
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, help_text=_("E.g. BLK Kota Palangka Raya.")
    )

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


# A section of a printed report, not an essay: a few paragraphs fit on a page.
ACTIVITY_REPORT_TEXT_LENGTH = 4000


class ActivityReport(models.Model):
    """The editable texts of a program's activity report (laporan kegiatan).

    A blank text prints the default that lapas_training.reports.activity builds from the
    program's data, so a report prints before anyone writes a word.
    """

    program = models.OneToOneField(
        Program,
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        related_name="activity_report",
    )
    background = models.TextField(
        _("background"), blank=True, max_length=ACTIVITY_REPORT_TEXT_LENGTH
    )
    purpose = models.TextField(
        _("purpose and objectives"), blank=True, max_length=ACTIVITY_REPORT_TEXT_LENGTH
    )
    legal_basis = models.TextField(
        _("legal basis"),
        blank=True,
        max_length=ACTIVITY_REPORT_TEXT_LENGTH,
        help_text=_("One regulation or agreement per line."),
    )
    conclusions = models.TextField(
        _("conclusions"), blank=True, max_length=ACTIVITY_REPORT_TEXT_LENGTH
    )
    suggestions = models.TextField(
        _("suggestions"), blank=True, max_length=ACTIVITY_REPORT_TEXT_LENGTH
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")

    def __str__(self):
        return _("Activity report of %(program)s") % {"program": self.program}

    def get_absolute_url(self):
        return reverse("reports:activity_edit", args=[self.program_id])


class ProgramTopic(models.Model):
    """A topic (materi) of a program with its lesson hours (JP)."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="topics"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("topic"), max_length=200)
    jp = models.PositiveSmallIntegerField(
        _("JP"), validators=[MinValueValidator(1)], help_text=_("Lesson hours of 45 minutes.")
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "title"], name="programs_programtopic_unique_title"
            ),
            models.CheckConstraint(
                condition=Q(jp__gte=1), name="programs_programtopic_jp_positive"
            ),
        ]

    def __str__(self):
        return self.title


class ProgramPartner(models.Model):
    """A partner's part in a program."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        CO_TRAINER = "co_trainer", _("Co-trainer")
        MARKET = "market", _("Market partner")

    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        related_name="program_partners",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="program_links"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        verbose_name = _("program partner")
        verbose_name_plural = _("program partners")
        ordering = ["role", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "partner"], name="programs_programpartner_unique_partner"
            ),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(role="lead"),
                name="programs_programpartner_one_lead",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["lead", "co_trainer", "market"]),
                name="programs_programpartner_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.partner} ({self.get_role_display()})"


class TrainingSessionQuerySet(models.QuerySet):
    def in_scope(self, scope):
        return self.filter(program__in=Program.objects.in_scope(scope))

    def upcoming(self, today=None):
        today = today or timezone.localdate()
        return self.filter(date__gte=today).order_by("date", "start_time")


def held_on(path=""):
    """The date of a session (reached by `path`, e.g. "session__") if it was held, else NULL:
    `held_on(path)__range` selects the held sessions of a period through the index
    programs_session_held_on."""
    return models.Case(models.When(**{f"{path}status": "held"}, then=F(f"{path}date")))


class TrainingSession(models.Model):
    """One meeting of a program: a date, a time slot, a topic and its trainers."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        # Attendance was recorded (attendance.services.save_attendance sets it).
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="sessions"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    topic = models.ForeignKey(
        ProgramTopic,
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainers"),
        blank=True,
        related_name="training_sessions",
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="programs_trainingsession_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "held", "cancelled"]),
                name="programs_trainingsession_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled")
                | (~Q(cancel_reason="") & Q(cancelled_at__isnull=False)),
                name="programs_trainingsession_cancel_has_reason",
            ),
            models.UniqueConstraint(
                fields=["program", "date", "start_time"],
                name="programs_trainingsession_unique_slot",
            ),
        ]
        indexes = [
            # "Today's and upcoming sessions" of a facility, by date.
            models.Index(fields=["date", "start_time"], name="programs_session_date"),
            # The reports' "held sessions dated in the period" (reports.figures._held_records
            # and the sessions by time slot) filter on this very expression: PostgreSQL keeps
            # statistics on an indexed expression, so it knows how few sessions of the current
            # month are held yet (status and date taken apart multiply into a guess 13 times
            # too high, and the roll-up then reads the whole attendance table).
            models.Index(held_on(), name="programs_session_held_on"),
        ]

    def __str__(self):
        return f"{self.program} – {self.date:%Y-%m-%d} {self.start_time:%H:%M}"

    def get_absolute_url(self):
        return reverse("programs:session_detail", args=[self.pk])

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_held(self):
        return self.status == self.Status.HELD

    @property
    def place(self):
        return self.location or self.program.location


class EnrollmentQuerySet(models.QuerySet):
    def in_scope(self, scope):
        return self.filter(program__in=Program.objects.in_scope(scope))

    def active(self):
        return self.filter(status=Enrollment.Status.ACTIVE)

    def listed_on(self, date):
        """Enrolments whose participant belongs on the list of a session held on `date`.

        Enrolled by then and either still in the program (or stayed to its close) or ended after
        that day: a participant who left (withdrew, was released or transferred) on a date is
        listed for earlier sessions only. attendance.rules.program_recap applies the same rule
        in Python.
        """
        return self.filter(
            Q(status__in=Enrollment.STAYING_STATUSES) | Q(ended_on__gt=date),
            enrolled_on__lte=date,
        )


class Enrollment(models.Model):
    """An inmate's participation in a program."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        RELEASED = "released", _("Released")
        TRANSFERRED = "transferred", _("Transferred")
        # Fixed when the program is closed (certificates.closing); the reasons are in end_reason.
        COMPLETED = "completed", _("Completed")
        NOT_COMPLETED = "not_completed", _("Not completed")

    class Result(models.TextChoices):
        COMPETENT = "kompeten", _("Kompeten")
        NOT_YET_COMPETENT = "belum_kompeten", _("Belum kompeten")

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="enrollments"
    )
    inmate = models.ForeignKey(
        "inmates.Inmate",
        verbose_name=_("inmate"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    enrolled_on = models.DateField(_("enrolled on"), default=timezone.localdate)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=13, choices=Status.choices, default=Status.ACTIVE
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    assessment_result = models.CharField(
        _("assessment result"), max_length=15, choices=Result.choices, blank=True
    )
    pre_test_score = models.DecimalField(
        _("pre-test score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    post_test_score = models.DecimalField(
        _("post-test score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    practical_score = models.DecimalField(
        _("practical score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    assessment_note = models.TextField(_("assessment note"), blank=True, max_length=1000)

    # Never left the program: listed for every session from the day they enrolled, whatever
    # their end date (closing dates a completed or not completed enrolment on the last session).
    STAYING_STATUSES = (Status.ACTIVE, Status.COMPLETED, Status.NOT_COMPLETED)

    objects = EnrollmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["inmate__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "inmate"], name="programs_enrollment_unique_inmate"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "active",
                        "withdrawn",
                        "released",
                        "transferred",
                        "completed",
                        "not_completed",
                    ]
                ),
                name="programs_enrollment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("enrolled_on")),
                name="programs_enrollment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "completed"])
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="programs_enrollment_end_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(assessment_result__in=["", "kompeten", "belum_kompeten"]),
                name="programs_enrollment_result_valid",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{score}__isnull": True})
                    | Q(**{f"{score}__gte": 0, f"{score}__lte": 100}),
                    name=f"programs_enrollment_{score}_percent",
                )
                for score in ("pre_test_score", "post_test_score", "practical_score")
            ),
        ]

    def __str__(self):
        return f"{self.inmate} – {self.program}"

    def get_absolute_url(self):
        return self.program.get_absolute_url()


# Photos are documentation of what happened, not history: a manager may delete one, and its files
# go with it. Written only by `inmates.photos.sanitize_image` (re-encoded, random names) and
# served only by `programs.views.photos` after an access check: MEDIA_ROOT/private is never public.


def photo_path(instance, filename):
    # Under MEDIA_ROOT/private, which is never served directly; the views check access.
    return f"private/{instance.upload_folder}/{filename}"


class Photo(models.Model):
    """A sanitised photo and its thumbnail (see inmates.photos.sanitize_image), with a caption."""

    upload_folder = ""

    image = models.ImageField(_("photo"), upload_to=photo_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]


class SessionPhotoQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Photos of the sessions the scope may see."""
        return self.filter(session__in=TrainingSession.objects.in_scope(scope))


class SessionPhoto(Photo):
    """A documentation photo of a session."""

    upload_folder = "sessions"

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="photos"
    )

    objects = SessionPhotoQuerySet.as_manager()

    class Meta(Photo.Meta):
        verbose_name = _("session photo")
        verbose_name_plural = _("session photos")

    def __str__(self):
        return self.caption or _("Photo of %(session)s") % {"session": self.session}

    def get_absolute_url(self):
        return reverse("programs:session_photo", args=[self.pk])


class ProductPhotoQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Photos of the programs the scope may see."""
        return self.filter(program__in=Program.objects.in_scope(scope))


class ProductPhoto(Photo):
    """A photo of a product made in a program (hasil karya), optionally by one participant."""

    upload_folder = "products"

    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="product_photos",
    )
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product_photos",
        help_text=_("The participant who made it, if one did."),
    )
    product = models.ForeignKey(
        "programs.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
        help_text=_("The product it shows, once the program records its products."),
    )

    objects = ProductPhotoQuerySet.as_manager()

    class Meta(Photo.Meta):
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self):
        return self.caption or _("Product of %(program)s") % {"program": self.program}

    def get_absolute_url(self):
        return reverse("programs:product_photo", args=[self.pk])


# The products models (hasil karya) live in their own module; importing them here registers
# them as this app's models and lets callers import them from programs.models.
from programs.models_products import (  # noqa: E402, F401
    BatchMaker,
    PnbpDeposit,
    Product,
    ProductionBatch,
    RevenueSplit,
    Sale,
    SaleRefund,
    StockLoss,
)
