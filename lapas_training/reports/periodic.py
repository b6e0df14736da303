"""The periodic report (laporan berkala): what a facility sends the Kanwil every month, and the
same report of a region's facilities or of all of them.

Everything it states comes from `lapas_training.reports.figures` (the definitions are there) and
every chart from `lapas_training.reports.charts`, so the report, the dashboard and the regional
pages always agree. `build_report` assembles the figures once into `Table`s that the page, the
PDF and the XLSX all print: what one shows the others show.

A roll-up report names facilities, programs and partners, never a person: none of its tables
has a row per inmate.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property, partial

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attendance.pdf import DEFAULT_FACILITY_LOGO, facility_signatory, letterhead, static_file_url
from certificates.competency import period_counts
from lapas_training.models import MINISTRY_LINE, Facility
from lapas_training.reports import charts, figures
from lapas_training.spreadsheets import Percent

# Who the national roll-up is from: the directorate general over every facility. Proper names
# of Indonesian offices, printed as they are in every language, as MINISTRY_LINE is.
NATIONAL_OFFICE = "Direktorat Jenderal Pemasyarakatan"
NATIONAL_HEAD = "Direktur Jenderal Pemasyarakatan"
NATIONAL_CITY = "Jakarta"
# The most months the attendance chart draws a bar for (a custom span may be five years long).
MAX_CHART_MONTHS = 24


@dataclass(frozen=True)
class Subject:
    """Whose report it is: one facility, or the facilities of a region or of the nation.

    `label` says what `name` is (facility, region); `facilities` is a queryset (no query until the figures use it); `letterhead` and `signatory`
    are what templates/_letterhead.html and _signature.html print; `rollup` adds the
    per-facility comparison.
    """

    label: str
    name: str
    facilities: object
    letterhead: dict
    signatory: dict
    city: str
    rollup: bool
    slug: str


def facility_subject(facility):
    """The report of one facility, under its letterhead, signed by its head. No query."""
    return Subject(
        label=_("Facility"),
        name=facility.name,
        facilities=Facility.objects.filter(pk=facility.pk),
        letterhead=letterhead(facility),
        signatory=facility_signatory(facility),
        city=facility.city,
        rollup=False,
        slug=facility.unit_code,
    )


def rollup_subject(scope):
    """The roll-up of `scope` (a regional user's region, or every facility for a superuser),
    under the regional office's name (or the directorate's), signed by its head by hand: the
    app knows no name for them. No query but the region's, already loaded with the user."""
    if scope.national:
        label, name, slug = _("Facilities"), _("All facilities"), "nasional"
        office, head, city = NATIONAL_OFFICE, NATIONAL_HEAD, NATIONAL_CITY
    else:
        region = scope.region
        label, name, slug = _("Region"), region.name, region.name
        office = region.office_name or region.name
        head, city = f"Kepala {office}", region.city
    return Subject(
        label=label,
        name=name,
        facilities=scope.rollup_facilities(),
        letterhead={
            "ministry": MINISTRY_LINE,
            "name": office,
            "logo": static_file_url(DEFAULT_FACILITY_LOGO),
        },
        signatory={"office": head, "name": "", "nip": ""},
        city=city,
        rollup=True,
        slug=slug,
    )


@dataclass(frozen=True)
class Table:
    """One table of the report as every format prints it: a title (and a shorter name for its
    XLSX sheet, at most 31 characters), the column headings and the rows, whose percentages are
    `Percent`s and every other figure a number; `draw` draws the chart from the same figures
    (None when there is nothing to draw: a page of empty axes says less than the table's zeros)
    and `empty` what to say when there is no row."""

    key: str
    title: str
    sheet: str
    header: list
    rows: list
    empty: str
    draw: object = None

    @cached_property
    def chart(self):
        """The chart's SVG, drawn when first printed: the XLSX file has no chart and never
        pays for one."""
        return self.draw() if self.draw else None

    @property
    def wide(self):
        """Whether the table needs the page's width on screen (beside its chart it would not)."""
        return len(self.header) > 3

    def printed_header(self):
        """(heading, is a number column) of each column: figures are aligned right."""
        kinds = [printed(value)[1] for value in self.rows[0]] if self.rows else []
        return list(zip(self.header, kinds, strict=False))

    def printed_rows(self):
        """The rows as the page and the PDF print them: (text, is a number) per cell, numbers
        and percentages in the active language's format ("92,5%" in Indonesian)."""
        return [[printed(value) for value in row] for row in self.rows]


def printed(value):
    """(text, is a number) of one figure as printed: a `Percent` with one decimal and "%",
    a dash for a rate of nothing; text as it is."""
    if isinstance(value, Percent):
        return charts.format_percent(value.value), True
    if isinstance(value, int):
        return charts.format_number(value), True
    return value, False


@dataclass(frozen=True)
class PeriodicReport:
    subject: Subject
    period: object
    summary: object
    figures: list
    tables: list
    generated_at: datetime.datetime
    place_and_date: str = field(default="")

    def printed_figures(self):
        """(label, text) of each summary figure as the page and the PDF print it."""
        return [(label, printed(value)[0]) for label, value in self.figures]


def build_report(subject, period):
    """The report of `subject` over `period`. Costs the figures' queries (a few grouped ones,
    whatever the number of programs or facilities), nothing per row."""
    facilities = subject.facilities
    got = figures.period_figures(facilities, period)
    summary = got.summary
    tables = [
        _attendance_table(got.months),
        _completion_table(got.programs, subject.rollup),
        _count_table(
            "partners",
            _("Participants by partner"),
            _("Partners"),
            _("Partner"),
            _("Participants"),
            got.by_partner,
            _("No partner taught in this period."),
        ),
        _count_table(
            "skills",
            _("Participants by skill category"),
            _("Skills"),
            _("Skill category"),
            _("Participants"),
            got.by_skill,
            _("No participants in this period."),
        ),
        _count_table(
            "custody",
            _("Sessions missed for custody reasons"),
            _("Custody reasons"),
            _("Reason"),
            _("Records"),
            got.custody,
            _("No session was missed for a custody reason."),
        ),
    ]
    competency = period_counts(facilities, period)
    tables.append(_competency_table(competency))
    if subject.rollup:
        tables.append(_facility_table(figures.by_facility(facilities, period)))
    today = timezone.localdate()
    return PeriodicReport(
        subject=subject,
        period=period,
        summary=summary,
        figures=[
            *summary_figures(summary),
            (_("Participants assessed for competency"), competency.assessed),
            (_("Participants judged Kompeten in a unit"), competency.competent),
        ],
        tables=tables,
        generated_at=timezone.localtime(),
        place_and_date=f"{subject.city or '..............'}, {date_format(today)}",
    )


def summary_figures(summary):
    """(label, value) of each summary figure, in the report's order; rates are `Percent`s."""
    return [
        (_("Participants"), summary.participants),
        (_("Sessions held"), summary.sessions_held),
        (_("Lesson hours (JP) delivered"), summary.jp_delivered),
        (_("Average attendance"), Percent(summary.attendance_rate)),
        (_("Participants who completed"), summary.completed),
        (_("Participants whose program closed"), summary.completion_base),
        (_("Completion rate"), Percent(summary.completion_rate)),
        (_("Certificates issued"), summary.certificates_issued),
        (_("Statements of participation issued"), summary.statements_issued),
        (_("Active partner agreements"), summary.active_agreements),
    ]


def _attendance_table(months):
    header = [
        _("Month"),
        _("Present (H)"),
        _("Late (T)"),
        _("Excused (I)"),
        _("Sick (S)"),
        _("Absent (A)"),
        _("Custody reasons"),
        _("Attendance"),
    ]
    rows = [
        [
            date_format(month.month, "YEAR_MONTH_FORMAT"),
            month.present,
            month.late,
            month.excused,
            month.sick,
            month.absent,
            month.custody,
            Percent(month.rate),
        ]
        for month in months
    ]
    return Table(
        "attendance",
        _("Attendance by month"),
        _("Attendance"),
        header,
        rows,
        _("No session was held in this period."),
        draw=partial(
            charts.stacked_bar_chart,
            _month_labels([month.month for month in months]),
            [(label, [row[column] for row in rows]) for column, label in enumerate(header[1:7], 1)],
            title=_("Attendance records per month, by status"),
            x_label=_("Month"),
            y_label=_("Attendance records"),
        )
        # Beyond two years the bars would be too narrow to read: the table has every month.
        if any(month.total for month in months) and len(months) <= MAX_CHART_MONTHS
        else None,
    )


def _month_labels(months):
    """The bars' labels, as short as the bars are narrow: "Agu 2025" for up to six months,
    "Agu" for a year's (the year is in the report's title), "8/25" on every other bar beyond."""
    if len(months) <= 6:
        return [date_format(month, "M Y") for month in months]
    if len({month.year for month in months}) == 1:
        return [date_format(month, "M") for month in months]
    return [
        f"{month.month}/{month:%y}" if index % 2 == 0 else "" for index, month in enumerate(months)
    ]


def _completion_table(programs, rollup):
    header = [
        _("Program"),
        *([_("Facility")] if rollup else []),
        _("Enrolled"),
        _("Completed"),
        _("Not completed"),
        _("Withdrawn"),
        _("Released or transferred"),
        _("Completion rate"),
    ]
    rows = [
        [
            program.title,
            *([program.facility_name] if rollup else []),
            program.enrolled,
            program.completed,
            program.not_completed,
            program.withdrawn,
            program.released_or_transferred,
            Percent(program.rate),
        ]
        for program in programs
    ]
    return Table(
        "completion",
        _("Completion by program"),
        _("Completion"),
        header,
        rows,
        _("No program closed in this period."),
        draw=partial(
            charts.horizontal_bar_chart,
            [(program.title, program.rate) for program in programs],
            title=_("Completion rate by program"),
            axis_label=_("Completion rate (%)"),
            max_value=100,
            percent=True,
        )
        if any(program.rate is not None for program in programs)
        else None,
    )


def _count_table(key, title, sheet, label, value_label, counts, empty):
    rows = [[count.label, count.value] for count in counts]
    return Table(
        key,
        title,
        sheet,
        [label, value_label],
        rows,
        empty,
        draw=partial(
            charts.horizontal_bar_chart,
            [(count.label, count.value) for count in counts],
            title=title,
            axis_label=value_label,
        )
        if any(count.value for count in counts)
        else None,
    )


def _competency_table(counts):
    """Competency certification by unit (certificates.competency.period_counts)."""
    return Table(
        "competency",
        _("Competency certification by unit"),
        _("Competency"),
        [_("Competency unit"), _("Participants assessed"), _("Kompeten")],
        [[f"{unit.code} {unit.title}", unit.assessed, unit.competent] for unit in counts.units],
        _("No competency assessment was held in this period."),
        draw=partial(
            charts.horizontal_bar_chart,
            [(unit.code, unit.competent) for unit in counts.units],
            title=_("Participants judged Kompeten, by unit"),
            axis_label=_("Participants"),
        )
        if any(unit.competent for unit in counts.units)
        else None,
    )


def _facility_table(rows):
    header = [
        _("Facility"),
        _("Participants"),
        _("Sessions held"),
        _("JP delivered"),
        _("Attendance"),
        _("Completed"),
        _("Completion rate"),
        _("Certificates"),
        _("Statements"),
        _("Active agreements"),
    ]
    body = [
        [
            row.facility.name,
            row.participants,
            row.sessions_held,
            row.jp_delivered,
            Percent(row.attendance_rate),
            row.completed,
            Percent(row.completion_rate),
            row.certificates_issued,
            row.statements_issued,
            row.active_agreements,
        ]
        for row in rows
    ]
    return Table(
        "facilities",
        _("Comparison of facilities"),
        _("Facilities"),
        header,
        body,
        _("No facility in this region."),
        draw=partial(
            charts.horizontal_bar_chart,
            [(row.facility.name, row.attendance_rate) for row in rows],
            title=_("Attendance by facility"),
            axis_label=_("Attendance (%)"),
            max_value=100,
            percent=True,
        )
        if any(row.attendance_rate is not None for row in rows)
        else None,
    )
