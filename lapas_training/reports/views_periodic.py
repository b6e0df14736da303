"""The periodic report (laporan berkala) as a page, a PDF and an XLSX file.

A facility's readers get their facility's report (`periodic`, `periodic_pdf`, `periodic_xlsx`);
a regional user their region's roll-up and a superuser the national one (`rollup_periodic`,
`rollup_periodic_pdf`, `rollup_periodic_xlsx`). Both take the period from the same GET
parameters (reports.forms.PeriodForm); a bad period shows the form's errors on the page and the
files fall back to the default period, as the page does, rather than failing.

Queries of every view: the session, the user, the facility (of a facility's report; a regional
user's region comes with the user), then those of `periodic.build_report` (the figures' grouped
queries): the same whatever the data.
"""

import dataclasses
import re

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lapas_training.access import READERS, role_required, rollup_required
from lapas_training.db_router import reads_from_replica
from lapas_training.reports import pdf_store, periodic
from lapas_training.reports.forms import period_from_request
from lapas_training.spreadsheets import Sheet, safe_filename, xlsx_response


@require_safe
@role_required(READERS)
@reads_from_replica
def periodic_page(request):
    return _page(request, periodic.facility_subject(request.scope.facility), "reports:periodic")


@require_safe
@role_required(READERS)
@reads_from_replica
def periodic_pdf(request):
    return _pdf(request, periodic.facility_subject(request.scope.facility))


@require_safe
@role_required(READERS)
@reads_from_replica
def periodic_xlsx(request):
    return _xlsx(request, periodic.facility_subject(request.scope.facility))


@require_safe
@rollup_required
@reads_from_replica
def rollup_periodic_page(request):
    return _page(request, periodic.rollup_subject(request.scope), "reports:rollup_periodic")


@require_safe
@rollup_required
@reads_from_replica
def rollup_periodic_pdf(request):
    return _pdf(request, periodic.rollup_subject(request.scope))


@require_safe
@rollup_required
@reads_from_replica
def rollup_periodic_xlsx(request):
    return _xlsx(request, periodic.rollup_subject(request.scope))


def _page(request, subject, url_name):
    period, form = period_from_request(request)
    report = periodic.build_report(subject, period)
    context = {
        "report": report,
        "period_form": form,
        "url_name": url_name,
        "query": period.query(),
    }
    return render(request, "lapas_training/reports/periodic.html", context)


PDF_TEMPLATE = "lapas_training/reports/periodic_pdf.html"
# Each chart's SVG ids come from a counter of the process (reports.charts): unique in a page, new
# at each render, and printing nothing.
CHART_IDS = re.compile(r"\bchart-\d+")


def _pdf(request, subject):
    """The report's PDF, stored after its first render (lapas_training.reports.pdf_store): found
    by its HTML without the minute it was generated, so a stored one states when its figures,
    unchanged since, were first printed."""
    period, _form = period_from_request(request)
    report = periodic.build_report(subject, period)
    unstamped = dataclasses.replace(report, generated_at=None)
    filename = _filename(report, "pdf")
    pdf = pdf_store.stored_pdf(
        f"periodic/{filename.removesuffix('.pdf')}",
        CHART_IDS.sub("chart", render_to_string(PDF_TEMPLATE, {"report": unstamped})),
        language=get_language(),
        html=lambda: render_to_string(PDF_TEMPLATE, {"report": report}),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # Inline: the browser opens its viewer, from which the officer prints.
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def _xlsx(request, subject):
    period, _form = period_from_request(request)
    report = periodic.build_report(subject, period)
    preamble = [
        (_("Report"), _("Training activity report")),
        (subject.label, subject.name),
        (_("Period"), period.label),
        (_("From"), period.start),
        (_("Until"), period.end),
        (_("Generated at"), report.generated_at),
    ]
    sheets = [Sheet(_("Summary"), [_("Figure"), _("Value")], report.figures, preamble)]
    sheets += [Sheet(table.sheet, table.header, table.rows) for table in report.tables]
    return xlsx_response(_filename(report, "xlsx"), sheets)


def _filename(report, fmt):
    """E.g. `laporan-berkala-LPN.KSG-2025-08.pdf`: whose report and which period (2025-08,
    2025-TW3, 2025, or the custom span's first and last day)."""
    period = report.period
    span = {
        "month": f"{period.start:%Y-%m}",
        "quarter": f"{period.start.year}-TW{period.quarter_number}",
        "year": f"{period.start.year}",
    }.get(period.kind, f"{period.start}_{period.end}")
    return f"laporan-berkala-{safe_filename(report.subject.slug)}-{span}.{fmt}"
