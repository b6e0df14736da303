"""The roll-up pages: what a regional office (Kanwil) reads of its region's facilities, and a
superuser of all of them ("national"), without choosing a facility.

Aggregates only: no page here names an inmate, shows a registration number or a photo, nor
links to a facility page (those answer 403 to a regional user). Every view starts with
`rollup_required`; every object comes through `in_rollup`, so a facility, program or partner
outside the region is a 404.
"""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lapas_training.access import in_rollup, rollup_required
from lapas_training.db_router import reads_from_replica
from lapas_training.models import Facility
from lapas_training.reports import figures, rollup
from lapas_training.reports.forms import period_from_request
from lapas_training.reports.periods import Period
from programs.models import Program

PROGRAMS_PER_PAGE = 25
PARTNERS_PER_PAGE = 25
FACILITIES_PER_PAGE = 50


def rollup_name(scope):
    """What the roll-up covers, as the pages title it: the region's name, or "National"."""
    return scope.region.name if scope.region is not None else _("National")


def adjacent_periods(period):
    """(previous, next) period of the same kind, for links beside the picker; (None, None)
    for a custom span, which has no natural neighbour."""
    start = period.start
    if period.kind == "month":
        before = Period.month(start.year - (start.month == 1), (start.month - 2) % 12 + 1)
        after = Period.month(start.year + (start.month == 12), start.month % 12 + 1)
    elif period.kind == "quarter":
        number = period.quarter_number
        before = Period.quarter(start.year - (number == 1), (number - 2) % 4 + 1)
        after = Period.quarter(start.year + (number == 4), number % 4 + 1)
    elif period.kind == "year":
        before, after = Period.year(start.year - 1), Period.year(start.year + 1)
    else:
        return None, None
    return before, after


def period_context(request):
    period, form = period_from_request(request)
    before, after = adjacent_periods(period)
    return {
        "period": period,
        "period_form": form,
        "previous_period": before,
        "next_period": after,
    }


def page_of(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@rollup_required
@reads_from_replica
def rollup_dashboard(request):
    """The region's (or the nation's) figures and charts for a period. Queries: the seven of
    figures.period_figures (grouped, whatever the number of facilities)."""
    context = period_context(request)
    got = figures.period_figures(request.scope.rollup_facilities(), context["period"])
    context.update(
        title=rollup_name(request.scope),
        summary=got.summary,
        charts=rollup.dashboard_charts(got),
    )
    return render(request, "lapas_training/reports/regional_dashboard.html", context)


@rollup_required
@reads_from_replica
def rollup_comparison(request):
    """One row per facility of the roll-up with the summary figures, and a chart of them.
    Queries: the facility count, the page of facilities, figures.by_facility on that page."""
    context = period_context(request)
    page = page_of(
        request, request.scope.rollup_facilities().order_by("name", "pk"), FACILITIES_PER_PAGE
    )
    rows = figures.by_facility(
        Facility.objects.filter(pk__in=[f.pk for f in page]), context["period"]
    )
    context.update(
        title=rollup_name(request.scope),
        page_obj=page,
        rows=rows,
        charts=rollup.comparison_charts(rows),
    )
    return render(request, "lapas_training/reports/regional_comparison.html", context)


@rollup_required
@reads_from_replica
def rollup_facility(request, pk):
    """One facility's figures and charts, as the region reads them; 404 outside the region."""
    facility = get_object_or_404(
        in_rollup(Facility.objects.select_related("region"), request.scope, "pk"), pk=pk
    )
    context = period_context(request)
    got = figures.period_figures(Facility.objects.filter(pk=facility.pk), context["period"])
    context.update(
        title=rollup_name(request.scope),
        facility=facility,
        summary=got.summary,
        charts=rollup.dashboard_charts(got),
    )
    return render(request, "lapas_training/reports/regional_facility.html", context)


class ProgramFilterForm(forms.Form):
    """The program list's filters; the facility choices are the roll-up's facilities."""

    facility = forms.ModelChoiceField(
        label=gettext_lazy("Facility"),
        queryset=Facility.objects.none(),
        required=False,
        empty_label=gettext_lazy("All facilities"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All statuses")), *Program.Status.choices],
        required=False,
    )

    def __init__(self, *args, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities.order_by("name")


@rollup_required
@reads_from_replica
def rollup_programs(request):
    """Programs across the roll-up's facilities, newest first, with their counts. Queries:
    facility choices, count, the page of programs, their partners, then the four grouped
    queries of rollup.program_figures."""
    scope = request.scope
    programs = in_rollup(rollup.programs(), scope)
    form = ProgramFilterForm(request.GET, facilities=scope.rollup_facilities())
    if form.is_valid():
        if form.cleaned_data["facility"]:
            programs = programs.filter(facility=form.cleaned_data["facility"])
        if form.cleaned_data["status"]:
            programs = programs.filter(status=form.cleaned_data["status"])
    page = page_of(request, programs, PROGRAMS_PER_PAGE)
    program_figures = rollup.program_figures(page.object_list)
    context = {
        "title": rollup_name(request.scope),
        "filter_form": form,
        "page_obj": page,
        "rows": [(program, program_figures[program.pk]) for program in page],
    }
    return render(request, "lapas_training/reports/regional_programs.html", context)


@rollup_required
@reads_from_replica
def rollup_program(request, pk):
    """One program's topics, partners and counts; no participant is listed. 404 outside the
    roll-up's facilities."""
    program = get_object_or_404(in_rollup(rollup.programs(), request.scope), pk=pk)
    topics = list(program.topics.order_by("order", "pk"))
    context = {
        "title": rollup_name(request.scope),
        "program": program,
        "topics": topics,
        "total_jp": sum(topic.jp for topic in topics),
        "links": program.program_partners.all(),
        "figures": rollup.program_figures([program])[program.pk],
    }
    return render(request, "lapas_training/reports/regional_program.html", context)


@rollup_required
@reads_from_replica
def rollup_partners(request):
    """Partners across the roll-up's facilities with their agreements, programs and the
    participants they taught. Queries: count, the page of partners, their agreements, the
    participant counts."""
    page = page_of(request, in_rollup(rollup.partners(), request.scope), PARTNERS_PER_PAGE)
    participants = rollup.partner_participants(page.object_list)
    context = {
        "title": rollup_name(request.scope),
        "page_obj": page,
        "rows": [(partner, participants[partner.pk]) for partner in page],
    }
    return render(request, "lapas_training/reports/regional_partners.html", context)


@rollup_required
@reads_from_replica
def rollup_partner(request, pk):
    """One partner: kind, agreements and their validity, the programs it takes part in with
    their counts. 404 outside the roll-up's facilities."""
    partner = get_object_or_404(in_rollup(rollup.partners(), request.scope), pk=pk)
    programs = list(rollup.programs().filter(program_partners__partner=partner))
    program_figures = rollup.program_figures(programs)
    context = {
        "title": rollup_name(request.scope),
        "partner": partner,
        "participants": rollup.partner_participants([partner])[partner.pk],
        "rows": [(program, program_figures[program.pk]) for program in programs],
    }
    return render(request, "lapas_training/reports/regional_partner.html", context)
