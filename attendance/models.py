from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AttendanceStatus(models.TextChoices):
    PRESENT = "H", _("Hadir")
    LATE = "T", _("Terlambat")
    EXCUSED = "I", _("Izin")
    SICK = "S", _("Sakit")
    ABSENT = "A", _("Alpa")
    # Custody reasons: the inmate did not choose to miss the session.
    COURT = "sidang", _("Sidang")
    VISIT = "besukan", _("Besukan")
    CLINIC = "klinik", _("Klinik")
    LOCKDOWN = "razia", _("Razia / lockdown")
    TRANSFER = "mutasi", _("Mutasi")
    RELEASED = "bebas", _("Bebas")


# H and T count as attended; custody reasons excuse the session (it does not count at all).
ATTENDED_STATUSES = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE})
CUSTODY_STATUSES = frozenset(
    {
        AttendanceStatus.COURT,
        AttendanceStatus.VISIT,
        AttendanceStatus.CLINIC,
        AttendanceStatus.LOCKDOWN,
        AttendanceStatus.TRANSFER,
        AttendanceStatus.RELEASED,
    }
)


class AttendanceRecord(models.Model):
    """One participant's attendance at one session. The marking workflow comes with #4."""

    session = models.ForeignKey(
        "programs.TrainingSession",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="attendance_records",
    )
    enrollment = models.ForeignKey(
        "programs.Enrollment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="attendance_records",
    )
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    minutes_late = models.PositiveSmallIntegerField(_("minutes late"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrollment"], name="attendance_attendancerecord_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values),
                name="attendance_attendancerecord_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(minutes_late__isnull=True) | Q(status="T"),
                name="attendance_attendancerecord_minutes_only_when_late",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment.inmate} @ {self.session}: {self.status}"


def scan_path(instance, filename):
    # Under MEDIA_ROOT/private, never served directly; the view checks access.
    return f"private/attendance/{filename}"


class AttendanceSheetScan(models.Model):
    """A scan (image or PDF) of a signed paper daftar hadir, kept as evidence with its session."""

    session = models.ForeignKey(
        "programs.TrainingSession",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="sheet_scans",
    )
    file = models.FileField(_("file"), upload_to=scan_path)
    content_type = models.CharField(_("content type"), max_length=50)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attendance sheet scan")
        verbose_name_plural = _("attendance sheet scans")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "application/pdf"]),
                name="attendance_attendancesheetscan_content_type_valid",
            ),
        ]

    def __str__(self):
        return f"{self.session} ({self.uploaded_at:%Y-%m-%d})"
