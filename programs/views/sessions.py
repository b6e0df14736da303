from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from attendance.models import AttendanceSheetScan
from attendance.scan_forms import SheetScanForm
from lapas_training.access import ALL_ROLES, MANAGERS, RoleRequiredMixin, role_required
from lapas_training.links import url_by_pk
from lapas_training.models import User
from programs.forms.photos import SessionPhotoForm
from programs.forms.sessions import (
    SLOT_TAKEN,
    SessionCancelForm,
    SessionFilterForm,
    SessionForm,
    SessionGenerateForm,
)
from programs.models import Program, TrainingSession
from programs.services import (
    MAX_GENERATED_SESSIONS,
    generate_sessions,
    plan_sessions,
    session_jp,
)

# What a row of the session list shows (SessionListView): its time, program, topic, place and
# status; the date groups the rows.
SESSION_ROW_FIELDS = (
    "date",
    "start_time",
    "end_time",
    "location",
    "status",
    "program__title",
    "program__location",
    "topic__title",
)


class SessionListView(RoleRequiredMixin, ListView):
    """Today's and upcoming sessions (or past ones with ?when=past), optionally of one program;
    with a date range (date_from, date_to, and a status), the sessions of those days in order,
    as the reports count them.

    Queries: user, facility, the programs of the filter, the count, the page, its trainers.
    Each row's link and status label are set in Python (`with_row_labels`).
    """

    roles = ALL_ROLES
    template_name = "programs/session_list.html"
    context_object_name = "sessions"
    paginate_by = 50

    @cached_property
    def past(self):
        return self.request.GET.get("when") == "past"

    @cached_property
    def program_id(self):
        value = self.request.GET.get("program", "")
        # A database id: ASCII digits ("²" is a digit too) within 64 bits, or SQLite overflows.
        if value.isascii() and value.isdigit() and int(value) < 2**63:
            return int(value)
        return None

    def get_queryset(self):
        today = timezone.localdate()
        sessions = (
            TrainingSession.objects.in_scope(self.request.scope)
            .select_related("program", "topic")
            # The columns a row shows, not every program's and trainer's.
            .only(*SESSION_ROW_FIELDS)
            # A list, not a manager a row: prefetching into a manager clones a queryset a row.
            .prefetch_related(
                Prefetch(
                    "trainers",
                    queryset=User.objects.only("first_name", "last_name", "username"),
                    to_attr="trainer_list",
                )
            )
        )
        if self.program_id:
            sessions = sessions.filter(program_id=self.program_id)
        self.filter_form = SessionFilterForm(self.request.GET)
        sessions, self.ranged = self.filter_form.filter(sessions)
        if self.ranged:
            return sessions.order_by("date", "start_time", "pk")
        if self.past:
            return sessions.filter(date__lt=today).order_by("-date", "-start_time", "pk")
        return sessions.filter(date__gte=today).order_by("date", "start_time", "pk")

    def paginate_queryset(self, queryset, page_size):
        paginator, page, sessions, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = with_row_labels(list(sessions))
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            past=self.past,
            ranged=self.ranged,
            filter_form=self.filter_form,
            program_id=self.program_id,
            # The filter's options: (pk, title) pairs, no program records built for them.
            programs=Program.objects.in_scope(self.request.scope)
            .order_by("-start_date", "title")
            .values_list("pk", "title"),
            **kwargs,
        )


def with_row_labels(sessions):
    """`sessions` (a list) with `url`, `time_range` (e.g. 08.00 to 12.00, as the page prints it) and `status_label`, made
    in Python once for the page instead of a reverse(), two |time filters and a
    get_status_display() (which rebuilds the translated choices) a row."""
    statuses = {value: str(label) for value, label in TrainingSession.Status.choices}
    detail_url = url_by_pk("programs:session_detail")
    for session in sessions:
        session.url = detail_url(session.pk)
        session.time_range = f"{session.start_time:%H.%M}–{session.end_time:%H.%M}"
        session.status_label = statuses.get(session.status, session.status)
    return sessions


class SessionDetailView(RoleRequiredMixin, DetailView):
    roles = ALL_ROLES
    template_name = "programs/session_detail.html"
    context_object_name = "session"

    def get_queryset(self):
        return (
            TrainingSession.objects.in_scope(self.request.scope)
            .select_related("program", "topic", "cancelled_by")
            .prefetch_related(
                "trainers",
                "photos",
                Prefetch(
                    "sheet_scans",
                    queryset=AttendanceSheetScan.objects.select_related("uploaded_by"),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        # Any trainer who sees the session teaches for its program, so may photograph it.
        can_upload = self.request.user.can_manage or self.request.scope.is_trainer
        if can_upload and "session_photo_form" not in kwargs:
            kwargs["session_photo_form"] = SessionPhotoForm()
        context = super().get_context_data(
            session_photos=self.object.photos.all(),
            sheet_scans=self.object.sheet_scans.all(),
            **kwargs,
        )
        if self.request.user.can_manage and not self.object.is_cancelled:
            context["cancel_form"] = SessionCancelForm()
            # Staff enter the marks from the paper sheet and keep its scan as evidence.
            context["sheet_scan_form"] = SheetScanForm()
        return context


class SessionFormMixin(RoleRequiredMixin):
    """Shared by adding and editing a session: managers only, a clash on save is a form error."""

    roles = MANAGERS
    form_class = SessionForm
    template_name = "programs/session_form.html"

    def refusal(self):
        """A redirect with a message when this object may not be edited now, else None."""
        return None

    def get(self, request, *args, **kwargs):
        return self.refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.refusal() or super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.program}

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.program, **kwargs)

    def form_valid(self, form):
        try:
            # A concurrent save may take the slot between the form's check and ours.
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:
            form.add_error("start_time", SLOT_TAKEN)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return response


class SessionCreateView(SessionFormMixin, CreateView):
    @cached_property
    def program(self):
        return get_object_or_404(Program.objects.in_scope(self.request.scope), pk=self.kwargs["pk"])

    @property
    def success_message(self):
        return _("The session was added.")

    def refusal(self):
        if self.program.is_cancelled:
            messages.error(self.request, _("A cancelled program takes no new sessions."))
            return redirect(self.program)
        return None


class SessionUpdateView(SessionFormMixin, UpdateView):
    @cached_property
    def session(self):
        return get_object_or_404(
            TrainingSession.objects.in_scope(self.request.scope).select_related("program"),
            pk=self.kwargs["pk"],
        )

    @property
    def program(self):
        return self.session.program

    @property
    def success_message(self):
        return _("The session was saved.")

    def get_object(self, queryset=None):
        return self.session

    def refusal(self):
        if self.session.is_cancelled:
            messages.error(self.request, _("A cancelled session cannot be edited."))
            return redirect(self.session)
        return None


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def session_generate(request, pk):
    """A series of sessions of one program from a date range, weekdays and a time slot.

    "Preview" (a POST with `preview`) shows each session that would be created with its topic
    and saves nothing; "Generate" creates them.
    """
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    if program.is_cancelled:
        messages.error(request, _("A cancelled program takes no new sessions."))
        return redirect(program)
    form = SessionGenerateForm(request.POST if request.method == "POST" else None, program=program)
    context = {"program": program, "form": form, "max_sessions": MAX_GENERATED_SESSIONS}
    if form.is_valid():
        slot = {
            "program": program,
            "dates": form.matching_dates(),
            "start_time": form.cleaned_data["start_time"],
            "end_time": form.cleaned_data["end_time"],
            "topic": form.cleaned_data["topic"],
        }
        try:
            if "preview" in request.POST:
                context["planned"], context["skipped"] = plan_sessions(**slot)
                context["jp_per_session"] = session_jp(slot["start_time"], slot["end_time"])
                context["series_jp"] = context["jp_per_session"] * len(context["planned"])
            else:
                return _generate(request, form, slot)
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError:
            # A single session added meanwhile took one of the slots (the lock covers only
            # generating); the series was rolled back as a whole.
            form.add_error(
                None, _("Another session was added meanwhile; nothing was created. Try again.")
            )
    return render(request, "programs/session_generate.html", context)


def _generate(request, form, slot):
    """Create the series of `slot` and say so; raises what generate_sessions raises."""
    created, skipped = generate_sessions(**slot, trainers=list(form.cleaned_data["trainers"]))
    text = ngettext("%(count)d session created.", "%(count)d sessions created.", len(created)) % {
        "count": len(created)
    }
    if skipped:
        text += " " + ngettext(
            "%(count)d day skipped: it already has a session at this time.",
            "%(count)d days skipped: they already have a session at this time.",
            len(skipped),
        ) % {"count": len(skipped)}
    messages.success(request, text)
    return redirect(slot["program"])


@role_required(MANAGERS)
@require_POST
def session_cancel(request, pk):
    """Cancel a scheduled session with a reason; a cancelled session never counts."""
    session = get_object_or_404(TrainingSession.objects.in_scope(request.scope), pk=pk)
    form = SessionCancelForm(request.POST)
    if not form.is_valid():
        for error in form.errors["reason"]:
            messages.error(request, error)
        return redirect(session)
    # Filtering on the status makes a second, concurrent cancel change nothing.
    cancelled = TrainingSession.objects.filter(
        pk=session.pk, status=TrainingSession.Status.SCHEDULED
    ).update(
        status=TrainingSession.Status.CANCELLED,
        cancel_reason=form.cleaned_data["reason"],
        cancelled_at=timezone.now(),
        cancelled_by=request.user,
    )
    if cancelled:
        messages.success(request, _("The session was cancelled."))
    else:
        messages.error(request, _("This session was already cancelled."))
    return redirect(session)
