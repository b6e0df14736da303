"""The facility's reports dashboard: the period's figures, five charts with their tables, and
the way to the other reports. Every number links to the list it counts.

Queries: session, user, facility (the scope), then the seven grouped queries of
reports.figures.period_figures: ten whatever the data.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lapas_training.access import READERS, role_required
from lapas_training.db_router import reads_from_replica
from lapas_training.models import Facility
from lapas_training.reports import charts, figures
from lapas_training.reports.charts import Cell, Table, format_number, format_percent
from lapas_training.reports.forms import period_from_request
from lapas_training.reports.periods import Period


def list_url(name, **params):
    """The URL of list page `name` filtered by `params` (empty ones left out)."""
    query = urlencode({key: value for key, value in params.items() if value not in ("", None)})
    return f"{reverse(name)}?{query}" if query else reverse(name)


class Links:
    """The list each figure counts, for one period."""

    def __init__(self, period):
        self.start, self.end = period.start.isoformat(), period.end.isoformat()

    def participants(self, **narrow):
        return list_url(
            "inmates:inmate_list", trained_from=self.start, trained_to=self.end, **narrow
        )

    def held_sessions(self, start=None, end=None):
        return list_url(
            "programs:session_list",
            status="held",
            date_from=(start or self.start),
            date_to=(end or self.end),
        )

    def closed_programs(self):
        return list_url(
            "programs:program_list", status="completed", ended_from=self.start, ended_to=self.end
        )

    def certificates(self, kind):
        return list_url(
            "certificates:certificate_list",
            kind=kind,
            issued_from=self.start,
            issued_to=self.end,
        )

    def agreements(self):
        return list_url("programs:partner_list", agreement_from=self.start, agreement_to=self.end)


@dataclass(frozen=True)
class Figure:
    """One card of the summary: its label, the number as shown, the list it counts."""

    label: str
    text: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class ChartBlock:
    """A chart of the page with its caption and table (`_chart.html`); a `stacked` block puts
    its wide table under the chart rather than beside it."""

    id: str
    caption: str
    chart: str
    table: Table
    note: str = ""
    stacked: bool = False


def summary_cards(summary, links):
    """The summary's figures as cards, formatted in the active language."""
    return [
        Figure(_("Participants"), format_number(summary.participants), links.participants()),
        Figure(_("Sessions held"), format_number(summary.sessions_held), links.held_sessions()),
        Figure(_("JP delivered"), format_number(summary.jp_delivered), links.held_sessions()),
        Figure(
            _("Average attendance"),
            format_percent(summary.attendance_rate),
            links.held_sessions(),
        ),
        Figure(
            _("Completion rate"),
            format_percent(summary.completion_rate),
            links.closed_programs(),
            _("%(completed)s of %(base)s participants of closed programs")
            % {
                "completed": format_number(summary.completed),
                "base": format_number(summary.completion_base),
            },
        ),
        Figure(
            _("Certificates issued"),
            format_number(summary.certificates_issued),
            links.certificates("completion"),
        ),
        Figure(
            _("Statements of participation"),
            format_number(summary.statements_issued),
            links.certificates("participation"),
        ),
        Figure(
            _("Active agreements"), format_number(summary.active_agreements), links.agreements()
        ),
    ]


def attendance_chart(rows, period, links):
    """Records per month by status group, stacked; the table links each month's sessions."""
    groups = [
        ("present", _("Present (H)")),
        ("late", _("Late (T)")),
        ("excused", _("Excused (I)")),
        ("sick", _("Sick (S)")),
        ("absent", _("Absent (A)")),
        ("custody", _("Custody reasons")),
    ]
    months = [date_format(row.month, "M Y") for row in rows]
    chart = charts.stacked_bar_chart(
        months,
        [(label, [getattr(row, key) for row in rows]) for key, label in groups],
        title=_("Attendance records per month, by status"),
        x_label=_("Month"),
        y_label=_("Attendance records"),
    )
    table_rows = []
    for month, row in zip(months, rows, strict=True):
        clipped = Period.month(row.month.year, row.month.month)
        url = links.held_sessions(
            max(clipped.start, period.start).isoformat(), min(clipped.end, period.end).isoformat()
        )
        table_rows.append(
            [
                Cell(month, url=url),
                *(getattr(row, key) for key, _label in groups),
                Cell(row.rate, percent=True),
            ]
        )
    headers = [_("Month"), *(label for _key, label in groups), _("Attendance")]
    return chart, Table(headers, table_rows)


def completion_chart(rows):
    chart = charts.horizontal_bar_chart(
        [(row.title, row.rate) for row in rows],
        title=_("Completion rate by program"),
        axis_label=_("Completed, % of participants counted"),
        max_value=100,
        percent=True,
    )
    table = Table(
        [
            _("Program"),
            _("Enrolled"),
            _("Completed"),
            _("Not completed"),
            _("Withdrawn"),
            _("Released or transferred"),
            _("Completion"),
        ],
        [
            [
                Cell(row.title, url=reverse("programs:program_detail", args=[row.program_id])),
                row.enrolled,
                row.completed,
                row.not_completed,
                row.withdrawn,
                row.released_or_transferred,
                Cell(row.rate, percent=True),
            ]
            for row in rows
        ],
    )
    return chart, table


def count_chart(counts, *, title, axis_label, header, url_for):
    chart = charts.horizontal_bar_chart(
        [(count.label, count.value) for count in counts], title=title, axis_label=axis_label
    )
    table = Table(
        [header, axis_label],
        [[count.label, Cell(count.value, url=url_for(count))] for count in counts],
    )
    return chart, table


def month_strip(facility, today):
    """This month's key figures for the home page, each card leading to the reports dashboard.
    (Period, cards); the five queries of `figures.summary`."""
    period = Period.containing(today)
    summary = figures.summary(Facility.objects.filter(pk=facility.pk), period)
    url = f"{reverse('reports:dashboard')}?{period.query()}"
    return period, [
        Figure(_("Participants"), format_number(summary.participants), url),
        Figure(_("Sessions held"), format_number(summary.sessions_held), url),
        Figure(_("Average attendance"), format_percent(summary.attendance_rate), url),
        Figure(_("Certificates issued"), format_number(summary.certificates_issued), url),
    ]


@require_safe
@role_required(READERS)
@reads_from_replica
def dashboard(request):
    period, form = period_from_request(request)
    links = Links(period)
    got = figures.period_figures(Facility.objects.filter(pk=request.scope.facility.pk), period)
    summary, completion, custody = got.summary, got.programs, got.custody
    attendance = attendance_chart(got.months, period, links)
    partners = count_chart(
        got.by_partner,
        title=_("Participants by partner"),
        axis_label=_("Participants"),
        header=_("Partner"),
        url_for=lambda count: links.participants(trained_partner=count.key),
    )
    skills = count_chart(
        got.by_skill,
        title=_("Participants by skill category"),
        axis_label=_("Participants"),
        header=_("Skill category"),
        url_for=lambda count: links.participants(trained_skill=count.key),
    )
    custody_chart = charts.horizontal_bar_chart(
        [(count.label, count.value) for count in custody],
        title=_("Sessions missed for custody reasons"),
        axis_label=_("Attendance records"),
    )
    custody_table = Table(
        [_("Reason"), _("Attendance records")],
        [[count.label, count.value] for count in custody],
        total=[
            _("Total"),
            Cell(sum(count.value for count in custody), url=links.held_sessions()),
        ],
    )
    context = {
        "period": period,
        "form": form,
        "summary": summary,
        "cards": summary_cards(summary, links),
        "charts": [
            ChartBlock(
                "attendance",
                _("Attendance per month"),
                *attendance,
                note=_("Records of held sessions; custody reasons do not count in the rate."),
                stacked=True,
            ),
            ChartBlock(
                "completion",
                _("Completion by program"),
                *completion_chart(completion),
                note=_("Programs closed with their end date in the period."),
                stacked=True,
            ),
            ChartBlock("partners", _("Participants by partner"), *partners),
            ChartBlock("skills", _("Participants by skill category"), *skills),
            ChartBlock("custody", _("Custody reasons"), custody_chart, custody_table),
        ],
        "completed_programs": completion,
    }
    return render(request, "lapas_training/reports/dashboard.html", context)
