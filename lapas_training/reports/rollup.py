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

from django.db.models import Case, Count, Prefetch, Q, When
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attendance.models import ATTENDED_STATUSES, CUSTODY_STATUSES, AttendanceRecord
from attendance.rules import percent
from certificates.models import Certificate
from lapas_training.reports import charts
from lapas_training.reports.charts import Cell, Table
from lapas_training.reports.figures import COMPLETION_BASE
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
                # The lead partner first, then the others by name.
                queryset=ProgramPartner.objects.select_related("partner").order_by(
                    Case(When(role=ProgramPartner.Role.LEAD, then=0), default=1), "partner__name"
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


@dataclass(frozen=True)
class Chart:
    """A chart of the roll-up with the table of its numbers (templates' _chart.html). No cell
    links anywhere: the lists the facility dashboard links to are facility pages."""

    caption: str
    chart: object
    table: Table


def dashboard_charts(got):
    """The facility dashboard's charts of `got` (figures.PeriodFigures): attendance by month,
    completion by program, participants by partner and by skill, custody reasons. No query."""
    months = got.months
    statuses = [
        (_("Present (H)"), "present"),
        (_("Late (T)"), "late"),
        (_("Excused (I)"), "excused"),
        (_("Sick (S)"), "sick"),
        (_("Absent (A)"), "absent"),
        (_("Custody reasons"), "custody"),
    ]
    month_labels = [date_format(month.month, "YEAR_MONTH_FORMAT") for month in months]
    programs = got.programs
    return [
        Chart(
            _("Attendance by month"),
            charts.stacked_bar_chart(
                month_labels,
                [(label, [getattr(month, name) for month in months]) for label, name in statuses],
                title=_("Attendance records by month"),
                x_label=_("Month"),
                y_label=_("Records"),
            ),
            Table(
                [_("Month"), *(label for label, _name in statuses), _("Attendance")],
                [
                    [label, *(getattr(month, name) for _label, name in statuses), rate(month.rate)]
                    for label, month in zip(month_labels, months, strict=True)
                ],
            ),
        ),
        Chart(
            _("Completion by program"),
            charts.horizontal_bar_chart(
                [(program.title, program.rate) for program in programs],
                title=_("Completion rate of the programs closed in the period"),
                axis_label=_("Completion (%)"),
                max_value=100,
                percent=True,
            ),
            Table(
                [_("Program"), _("Facility"), _("Completed"), _("Counted"), _("Completion")],
                [[p.title, p.facility_name, p.completed, p.base, rate(p.rate)] for p in programs],
            ),
        ),
        count_chart(_("Participants by partner"), _("Partner"), got.by_partner),
        count_chart(_("Participants by skill category"), _("Skill category"), got.by_skill),
        count_chart(
            _("Sessions missed for custody reasons"),
            _("Reason"),
            got.custody,
            value_label=_("Records"),
        ),
    ]


def comparison_charts(rows):
    """Charts of the comparison table's rows (figures.FacilityRow): participants and attendance
    per facility. No query."""
    return [
        Chart(
            _("Participants by facility"),
            charts.horizontal_bar_chart(
                [(row.facility.name, row.participants) for row in rows],
                title=_("Participants by facility"),
                axis_label=_("Participants"),
            ),
            Table(
                [_("Facility"), _("Participants"), _("Sessions held"), _("JP")],
                [
                    [row.facility.name, row.participants, row.sessions_held, row.jp_delivered]
                    for row in rows
                ],
            ),
        ),
        Chart(
            _("Attendance by facility"),
            charts.horizontal_bar_chart(
                [(row.facility.name, row.attendance_rate) for row in rows],
                title=_("Attendance by facility"),
                axis_label=_("Attendance (%)"),
                max_value=100,
                percent=True,
            ),
            Table(
                [_("Facility"), _("Attendance"), _("Completion")],
                [
                    [row.facility.name, rate(row.attendance_rate), rate(row.completion_rate)]
                    for row in rows
                ],
            ),
        ),
    ]


def count_chart(caption, label, counts, value_label=None):
    """A horizontal bar chart of figures.Count rows with their table."""
    value_label = value_label or _("Participants")
    return Chart(
        caption,
        charts.horizontal_bar_chart(
            [(count.label, count.value) for count in counts], title=caption, axis_label=value_label
        ),
        Table([label, value_label], [[count.label, count.value] for count in counts]),
    )


def rate(value):
    return Cell(value, percent=True)
