"""After release: consent to follow-up, recording a follow-up, the staff's list of those due,
and the outcome report (aggregates only, for the facility and for the regional roll-up).

Follow-ups name a person: only staff and admins read or record them. The viewer (Kalapas) and
the regional office read the outcome rates, which name no one; trainers see none of it.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from inmates.forms import FollowUpConsentForm, FollowUpForm
from inmates.models import FollowUp, FollowUpConsent, Inmate
from inmates.outcomes import (
    OUTCOME_COLUMNS,
    due_follow_ups,
    due_on,
    outcome_rates,
    record_consent,
    record_follow_up,
)
from inmates.views.exports import check_format, export_filename
from lapas_training.access import MANAGERS, READERS, in_rollup, role_required, rollup_required
from lapas_training.reports.periodic import facility_subject, rollup_subject
from lapas_training.spreadsheets import Percent, Sheet, csv_response, xlsx_response


def _released_inmate(request, pk):
    """The scope's inmate `pk` (404 outside it), or a redirect to their page with a message
    when follow-up does not apply: not released, or their personal data anonymised."""
    inmate = get_object_or_404(Inmate.objects.in_scope(request.scope), pk=pk)
    if inmate.status != Inmate.Status.RELEASED or inmate.anonymised_on is not None:
        messages.info(
            request,
            _("Follow-up is recorded only for a released inmate."),
        )
        return inmate, redirect(inmate)
    return inmate, None


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def follow_up_consent(request, pk):
    """Record or change a released inmate's answer to follow-up (kept with its history).

    Queries (GET): session, user, facility (scope), the inmate, the current consent and, when
    there is one, its recorded answers with who recorded them.
    """
    inmate, refusal = _released_inmate(request, pk)
    if refusal:
        return refusal
    consent = FollowUpConsent.objects.filter(inmate=inmate).first()
    initial = {}
    if consent is not None:
        initial = {"consented": "yes" if consent.consented else "no"}
    form = FollowUpConsentForm(
        request.POST if request.method == "POST" else None, inmate=inmate, initial=initial
    )
    if form.is_valid():
        try:
            record_consent(
                inmate=inmate,
                consented=form.cleaned_data["consented"],
                on=form.cleaned_data["consented_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The answer of %(name)s to follow-up was recorded.") % {"name": inmate.full_name},
            )
            return redirect(inmate)
    return render(
        request,
        "inmates/outcomes/follow_up_consent.html",
        {
            "inmate": inmate,
            "form": form,
            "consent": consent,
            "answers": consent.history.select_related("history_user").order_by(
                "-history_date", "-history_id"
            )
            if consent
            else [],
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def follow_up_record(request, pk, milestone):
    """Record (or correct) the follow-up at `milestone` months; refused without consent.

    Queries (GET): session, user, facility (scope), the inmate, the consent, the follow-up.
    """
    if milestone not in FollowUp.Milestone.values:
        raise Http404
    inmate, refusal = _released_inmate(request, pk)
    if refusal:
        return refusal
    consent = FollowUpConsent.objects.filter(inmate=inmate).first()
    if consent is None or not consent.consented:
        messages.error(
            request,
            _("%(name)s did not consent to follow-up: nothing can be recorded.")
            % {"name": inmate.full_name},
        )
        return redirect(inmate)
    follow_up = FollowUp.objects.filter(inmate=inmate, milestone=milestone).first()
    form = FollowUpForm(
        request.POST if request.method == "POST" else None, inmate=inmate, instance=follow_up
    )
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in FollowUpForm.Meta.fields}
        try:
            record_follow_up(inmate=inmate, milestone=milestone, values=values, by=request.user)
        except ValidationError as error:
            # Consent withdrawn by another officer since the page was opened.
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The %(milestone)s follow-up of %(name)s was recorded.")
                % {
                    "milestone": FollowUp.Milestone(milestone).label,
                    "name": inmate.full_name,
                },
            )
            # Recorded from the list of those due: back to the list, for the next call.
            return redirect(
                "inmates:follow_up_list" if request.POST.get("next") == "list" else inmate
            )
    return render(
        request,
        "inmates/outcomes/follow_up_form.html",
        {
            "inmate": inmate,
            "form": form,
            "milestone": FollowUp.Milestone(milestone),
            "due_on": due_on(inmate, milestone),
            "next": request.GET.get("next", request.POST.get("next", "")),
        },
    )


@require_safe
@role_required(MANAGERS)
def follow_up_list(request):
    """The follow-ups to make now: due within two weeks or overdue, overdue first.

    Queries: session, user, facility (scope), the consenting released inmates with their
    recorded milestones (inmates.outcomes.due_follow_ups), whatever the number of rows.
    """
    today = timezone.localdate()
    due = due_follow_ups(request.scope.facility, today=today)
    return render(
        request,
        "inmates/outcomes/follow_up_list.html",
        {"due": due, "overdue_count": sum(item.overdue for item in due), "today": today},
    )


MILESTONES = (FollowUp.Milestone.MONTHS_6, FollowUp.Milestone.MONTHS_12)


def _sections(follow_ups, *, rollup):
    """(title, row heading, [(milestone label, rows)]) per grouping: program, partner, skill."""
    tables = outcome_rates(follow_ups, name_facilities=rollup)
    groupings = [
        (_("By program"), _("Program"), tables.by_program),
        (_("By partner"), _("Partner"), tables.by_partner),
        (_("By skill"), _("Skill"), tables.by_skill),
    ]
    return [
        (title, heading, [(str(milestone.label), rows[milestone]) for milestone in MILESTONES])
        for title, heading, rows in groupings
    ]


def _report_context(follow_ups, *, rollup):
    """The report's tables: per grouping (program, partner, skill), one table per milestone."""
    return {"sections": _sections(follow_ups, rollup=rollup), "columns": _column_labels()}


def _column_labels():
    labels = {
        "working": _("Working (employed or own business)"),
        "training": _("Further training"),
        "looking": _("Looking for work"),
        "unknown": _("Unknown"),
        "reoffended": _("Re-offended"),
    }
    return [labels[name] for name, _statuses in OUTCOME_COLUMNS] + [_("Uses the trained skill")]


@require_safe
@role_required(READERS)
def outcome_report(request):
    """Outcome rates of the facility at 6 and 12 months per program, partner and skill.

    Aggregates only, so the viewer reads it too. Queries: session, user, facility (scope), then
    the three of inmates.outcomes.outcome_rates.
    """
    return render(
        request,
        "inmates/outcomes/outcome_report.html",
        {
            **_report_context(FollowUp.objects.in_scope(request.scope), rollup=False),
            "rollup": False,
        },
    )


@require_safe
@role_required(READERS)
def outcome_report_export(request, fmt):
    """The facility's outcome report as XLSX (a sheet per grouping) or CSV (one table).

    Aggregates only, like the page: no audit event, as for the periodic report. Queries:
    session, user, facility (scope), then the three of outcome_rates.
    """
    check_format(fmt)
    follow_ups = FollowUp.objects.in_scope(request.scope)
    return _export(follow_ups, fmt, facility_subject(request.scope.facility))


@require_safe
@rollup_required
def outcome_rollup_export(request, fmt):
    """The roll-up's outcome report as XLSX or CSV; no person is named."""
    check_format(fmt)
    follow_ups = in_rollup(FollowUp.objects.all(), request.scope, "inmate__facility")
    return _export(follow_ups, fmt, rollup_subject(request.scope))


def _export(follow_ups, fmt, subject):
    """Each row's counts as numbers and each share as a percentage cell beside its count, so a
    spreadsheet can sum the counts and recompute the shares. `subject` (the periodic report's)
    names the facility or the roll-up."""
    header = [_("Reached (the base)")]
    for column in _column_labels():
        header += [column, f"{column} (%)"]
    header.append(_("Not reached"))
    preamble = [
        (_("Report"), _("Outcomes after release")),
        (subject.label, subject.name),
        (_("Generated at"), timezone.localtime().replace(microsecond=0, tzinfo=None)),
        (
            _("Base"),
            _("Shares are counted over the people who agreed to follow-up and were reached."),
        ),
    ]

    def rows(tables):
        for milestone, milestone_rows in tables:
            for row in milestone_rows:
                cells = [row.reached]
                for count, rate in row.cells():
                    cells += [count, Percent(rate)]
                yield [milestone, row.label, *cells, row.not_reached]

    sections = _sections(follow_ups, rollup=subject.rollup)
    filename = export_filename("hasil-setelah-bebas", subject.slug, fmt)
    if fmt == "csv":
        table = ([title, *cells] for title, _heading, tables in sections for cells in rows(tables))
        return csv_response(
            filename, [_("Grouping"), _("Milestone"), _("Row"), *header], table, preamble
        )
    sheets = [
        Sheet(
            title,
            [_("Milestone"), heading, *header],
            list(rows(tables)),
            preamble if i == 0 else (),
        )
        for i, (title, heading, tables) in enumerate(sections)
    ]
    return xlsx_response(filename, sheets)


@require_safe
@rollup_required
def outcome_rollup(request):
    """The same rates over the region's facilities (or every facility, for a superuser): no
    person is named. Queries: session, user, then the three of outcome_rates."""
    follow_ups = in_rollup(FollowUp.objects.all(), request.scope, "inmate__facility")
    return render(
        request,
        "inmates/outcomes/outcome_report.html",
        {**_report_context(follow_ups, rollup=True), "rollup": True},
    )
