"""The roll-up's own queries: programs and partners across a region's (or the nation's)
facilities with their aggregates, for the regional pages (views_regional).

Nothing here reads an inmate's name, number or photo: every figure is a count. Each function
costs a fixed number of grouped queries whatever the number of programs, partners or facilities.

Definitions, per program (as the facility dashboard's figures, reports.figures, over a
program's whole life rather than a period):
- participants: its enrolments, whatever their status;
- sessions held: its sessions with status "held", and the JP they delivered
  (programs.services.session_jp of each);
- attendance %: records of its held sessions, (H + T) / (all records - custody records) x 100,
  truncated to one decimal; none when nothing counts;
- completion %: for a closed program only, completed / (completed + not completed + withdrawn)
  x 100, truncated; released and transferred participants left for reasons outside the program
  and are not counted.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from attendance.models import ATTENDED_STATUSES, CUSTODY_STATUSES, AttendanceRecord
from certificates.models import Certificate
from lapas_training.reports.figures import COMPLETION_BASE, percent
from programs.models import (
    Enrollment,
    Partner,
    PartnerAgreement,
    Program,
    ProgramPartner,
    TrainingSession,
)
from programs.services import session_jp


@dataclass
class ProgramFigures:
    """One program's counts; no person in them."""

    closed: bool = False
    by_status: dict = field(default_factory=dict)
    sessions_planned: int = 0
    sessions_held: int = 0
    jp_delivered: int = 0
    attended: int = 0
    counted: int = 0
    certificates_issued: int = 0
    statements_issued: int = 0

    @property
    def participants(self):
        return sum(self.by_status.values())

    @property
    def completed(self):
        return self.by_status.get(Enrollment.Status.COMPLETED, 0)

    @property
    def attendance_rate(self):
        return percent(self.attended, self.counted)

    @property
    def completion_base(self):
        return sum(self.by_status.get(status, 0) for status in COMPLETION_BASE)

    @property
    def completion_rate(self):
        return percent(self.completed, self.completion_base) if self.closed else None

    def status_rows(self):
        """(label, count) of each enrolment status, in the model's order, zeros included."""
        return [(label, self.by_status.get(value, 0)) for value, label in Enrollment.Status.choices]


def programs():
    """Programs newest first, with their facility and partners (narrow it with
    access.in_rollup). Costs two queries when evaluated (programs, partner links)."""
    return (
        Program.objects.select_related("facility")
        .prefetch_related(
            Prefetch(
                "program_partners",
                queryset=ProgramPartner.objects.select_related("partner").order_by(
                    "role", "partner__name"
                ),
            )
        )
        .order_by("-start_date", "title", "pk")
    )


def program_figures(programs):
    """{program id: ProgramFigures} for the given programs (a list). Four grouped queries:
    enrolments by status, sessions by status and time slot, held sessions' attendance records
    by status, certificates by kind."""
    figures = {program.pk: ProgramFigures(closed=program.is_closed) for program in programs}
    ids = list(figures)
    if not ids:
        return figures
    for row in (
        Enrollment.objects.filter(program__in=ids)
        .values("program", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures[row["program"]].by_status[row["status"]] = row["n"]
    for row in (
        TrainingSession.objects.filter(program__in=ids)
        .exclude(status=TrainingSession.Status.CANCELLED)
        .values("program", "status", "start_time", "end_time")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        program = figures[row["program"]]
        program.sessions_planned += row["n"]
        if row["status"] == TrainingSession.Status.HELD:
            program.sessions_held += row["n"]
            program.jp_delivered += row["n"] * session_jp(row["start_time"], row["end_time"])
    for row in (
        AttendanceRecord.objects.filter(
            session__program__in=ids, session__status=TrainingSession.Status.HELD
        )
        .values("session__program")
        .annotate(
            attended=Count("pk", filter=Q(status__in=ATTENDED_STATUSES)),
            counted=Count("pk", filter=~Q(status__in=CUSTODY_STATUSES)),
        )
        .order_by()
    ):
        program = figures[row["session__program"]]
        program.attended, program.counted = row["attended"], row["counted"]
    for row in (
        Certificate.objects.filter(enrollment__program__in=ids)
        .values("enrollment__program", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        program = figures[row["enrollment__program"]]
        if row["kind"] == Certificate.Kind.COMPLETION:
            program.certificates_issued = row["n"]
        else:
            program.statements_issued = row["n"]
    return figures


def partners():
    """Partners by facility and name, with their facility, their agreements (latest end first)
    and the number of programs they take part in (narrow it with access.in_rollup). Two queries
    when evaluated (partners with the count, agreements)."""
    return (
        Partner.objects.select_related("facility")
        .prefetch_related(
            Prefetch(
                "agreements",
                queryset=PartnerAgreement.objects.order_by("-valid_to", "number"),
                to_attr="agreements_by_end",
            )
        )
        .annotate(program_count=Count("program_links", distinct=True))
        .order_by("facility__name", "name", "pk")
    )


def partner_participants(partners):
    """{partner id: distinct inmates enrolled in the programs it takes part in}, one query."""
    ids = [partner.pk for partner in partners]
    counts = defaultdict(int)
    for row in (
        ProgramPartner.objects.filter(partner__in=ids)
        .values("partner")
        .annotate(n=Count("program__enrollments__inmate", distinct=True))
        .order_by()
    ):
        counts[row["partner"]] = row["n"]
    return counts
