"""Programs with their topics and partners: every role reads (trainers their partner's only)."""

from django.contrib import messages
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from lapas_training.access import ALL_ROLES, MANAGERS, RoleRequiredMixin, role_required
from lapas_training.links import url_by_pk
from lapas_training.models import User
from programs.forms.photos import ProductPhotoForm, photo_participants
from programs.forms.programs import ProgramFilterForm, ProgramForm, ProgramPartnerForm, TopicFormSet
from programs.models import (
    Enrollment,
    Partner,
    ProductPhoto,
    Program,
    ProgramEvent,
    ProgramPartner,
    SkillCategory,
    TrainingSession,
)

# Lead first, then co-trainers, then market partners: the order certificates name them in.
PARTNER_ROLE_ORDER = {role: index for index, role in enumerate(ProgramPartner.Role.values)}


class ProgramListView(RoleRequiredMixin, ListView):
    """The facility's programs, newest first, searched and filtered, 25 a page.

    Queries: the partners of the filter, the paginator's count, and the page of programs with
    their participant and session counts and their lead partner's name.
    """

    roles = ALL_ROLES
    template_name = "programs/program_list.html"
    context_object_name = "programs"
    paginate_by = 25

    def get_queryset(self):
        scope = self.request.scope
        self.filter_form = ProgramFilterForm(
            self.request.GET, partners=Partner.objects.in_scope(scope).order_by("name")
        )
        programs = (
            Program.objects.in_scope(scope)
            .with_counts()
            .annotate(
                # A program has at most one lead (programs_programpartner_one_lead).
                lead_partner=Subquery(
                    ProgramPartner.objects.filter(
                        program=OuterRef("pk"), role=ProgramPartner.Role.LEAD
                    ).values("partner__name")[:1]
                )
            )
            .order_by("-start_date", "title", "pk")
        )
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["status"]:
                programs = programs.filter(status=data["status"])
            if data["skill_category"]:
                programs = programs.filter(skill_category=data["skill_category"])
            if data["partner"]:
                # A subquery, not a join, so the session count is not multiplied.
                programs = programs.filter(
                    pk__in=ProgramPartner.objects.filter(partner=data["partner"]).values("program")
                )
            if text := data["q"].strip():
                programs = programs.filter(title__icontains=text)
            if data["ended_from"]:
                programs = programs.filter(end_date__gte=data["ended_from"])
            if data["ended_to"]:
                programs = programs.filter(end_date__lte=data["ended_to"])
        return programs

    def paginate_queryset(self, queryset, page_size):
        paginator, page, programs, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = with_row_labels(list(programs))
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, can_manage=self.request.user.can_manage, **kwargs
        )


def with_row_labels(programs):
    """`programs` (a list) with what a row shows beyond the fields: `url`, `status_label` and
    `category_label`, looked up once for the page instead of a reverse() and two
    get_*_display calls (each rebuilding the translated choices) a row."""
    statuses = {value: str(label) for value, label in Program.Status.choices}
    categories = {value: str(label) for value, label in SkillCategory.choices}
    detail_url = url_by_pk("programs:program_detail")
    for program in programs:
        program.url = detail_url(program.pk)
        program.status_label = statuses.get(program.status, program.status)
        program.category_label = categories.get(program.skill_category, program.skill_category)
    return programs


# What the program page shows of a participant (and the photo form offers): the inmate's
# name, number and block, and the enrolment's date, status and reason for leaving.
PARTICIPANT_ROW_FIELDS = (
    "program",
    "status",
    "enrolled_on",
    "end_reason",
    "inmate__full_name",
    "inmate__registration_number",
    "inmate__block",
)


class ProgramDetailView(RoleRequiredMixin, DetailView):
    """A program with its topics, partners, events, sessions, participants and products.

    Queries: the program, then one each for its topics, partners, sessions, the sessions'
    trainers, participants, product photos, events and their guests; for managers the
    partners that may be attached. The rows' links and labels are set in Python
    (`with_session_labels`, `with_participant_labels`).
    """

    roles = ALL_ROLES
    template_name = "programs/program_detail.html"
    context_object_name = "program"

    def get_queryset(self):
        scope = self.request.scope
        enrollments = (
            Enrollment.objects.select_related("inmate")
            .only(*PARTICIPANT_ROW_FIELDS)
            .order_by("inmate__full_name", "pk")
        )
        if scope.is_trainer:
            # A trainer teaches the current participants; who left and why is not theirs to see.
            enrollments = enrollments.filter(status=Enrollment.Status.ACTIVE)
        sessions = (
            TrainingSession.objects.select_related("topic")
            .prefetch_related(
                Prefetch(
                    "trainers",
                    queryset=User.objects.only("first_name", "last_name", "username").order_by(
                        "first_name", "last_name"
                    ),
                    to_attr="trainer_list",
                )
            )
            .order_by("date", "start_time")
        )
        # Into lists (to_attr), not managers: prefetching into a manager clones a queryset for
        # each session and participant.
        return Program.objects.in_scope(scope).prefetch_related(
            Prefetch("topics", to_attr="topic_list"),
            Prefetch(
                "program_partners",
                queryset=ProgramPartner.objects.select_related("partner"),
                to_attr="partner_link_list",
            ),
            Prefetch("sessions", queryset=sessions, to_attr="session_list"),
            Prefetch("enrollments", queryset=enrollments, to_attr="enrollment_list"),
            Prefetch(
                "product_photos",
                queryset=ProductPhoto.objects.select_related("enrollment__inmate"),
                to_attr="product_photo_list",
            ),
            Prefetch(
                "events",
                queryset=ProgramEvent.objects.prefetch_related("guests"),
                to_attr="event_list",
            ),
        )

    def get_context_data(self, **kwargs):
        program = self.object
        scope = self.request.scope
        can_manage = self.request.user.can_manage
        enrollments = program.enrollment_list
        if can_manage and "partner_form" not in kwargs:
            kwargs["partner_form"] = ProgramPartnerForm(program=program)
        # Any trainer who sees the program teaches for it, so may photograph its products.
        can_upload = can_manage or scope.is_trainer
        if can_upload and "product_photo_form" not in kwargs:
            form = ProductPhotoForm(enrollments=photo_participants(program, scope))
            # The participants offered are the ones listed below (photo_participants narrows
            # as the page does): their options come from that list, not a query of their own.
            field = form.fields["enrollment"]
            field.widget.choices = [
                ("", field.empty_label),
                *((e.pk, field.label_from_instance(e)) for e in enrollments),
            ]
            kwargs["product_photo_form"] = form
        today = timezone.localdate()
        sessions = with_session_labels(program.session_list, today)
        topics = program.topic_list
        return super().get_context_data(
            can_manage=can_manage,
            can_read_completion=not scope.is_trainer,
            is_admin=self.request.user.is_admin,
            today=today,
            unrecorded_count=sum(session.unrecorded for session in sessions),
            is_trainer=scope.is_trainer,
            topics=topics,
            total_jp=sum(topic.jp for topic in topics),
            partner_links=sorted(
                program.partner_link_list,
                key=lambda link: (PARTNER_ROLE_ORDER.get(link.role, 99), link.partner.name),
            ),
            sessions=sessions,
            enrollments=with_participant_labels(enrollments),
            seats_taken=sum(1 for e in enrollments if e.status == Enrollment.Status.ACTIVE),
            product_photos=program.product_photo_list,
            events=program.event_list,
            **kwargs,
        )


def with_session_labels(sessions, today):
    """`sessions` (a list) with `url`, `time_range` (e.g. 08.00 to 12.00, as the page prints it) and `unrecorded` (past,
    still scheduled: no attendance recorded), made once for the page instead of a reverse()
    and two |time filters a row."""
    detail_url = url_by_pk("programs:session_detail")
    for session in sessions:
        session.url = detail_url(session.pk)
        session.time_range = f"{session.start_time:%H.%M}–{session.end_time:%H.%M}"
        session.unrecorded = (
            session.status == TrainingSession.Status.SCHEDULED and session.date < today
        )
    return sessions


def with_participant_labels(enrollments):
    """`enrollments` (a list) with `inmate_url`, `withdraw_url` and `status_label`, looked up
    once for the page instead of two reverse() and a get_status_display() a row."""
    statuses = {value: str(label) for value, label in Enrollment.Status.choices}
    inmate_url = url_by_pk("inmates:inmate_detail")
    withdraw_url = url_by_pk("programs:enrollment_withdraw")
    for enrollment in enrollments:
        enrollment.inmate_url = inmate_url(enrollment.inmate_id)
        enrollment.withdraw_url = withdraw_url(enrollment.pk)
        enrollment.status_label = statuses.get(enrollment.status, enrollment.status)
    return enrollments


class ProgramFormMixin(RoleRequiredMixin):
    """Program and topics on one page, validated together and saved in one transaction."""

    roles = MANAGERS
    form_class = ProgramForm
    template_name = "programs/program_form.html"
    context_object_name = "program"

    def get_queryset(self):
        return Program.objects.in_scope(self.request.scope)

    def get_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return TopicFormSet(data, instance=self.object, prefix="topics")

    def get_context_data(self, **kwargs):
        if "formset" not in kwargs:
            kwargs["formset"] = self.get_formset()
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if "pk" in self.kwargs else None
        form = self.get_form()
        formset = self.get_formset()
        # Validate both, so every error shows at once.
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if not (form_ok and formset_ok):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        with transaction.atomic():
            self.save_program(form)
            formset.instance = self.object
            formset.save()
        return redirect(self.object)


class ProgramCreateView(ProgramFormMixin, CreateView):
    def save_program(self, form):
        form.instance.facility = self.request.scope.facility
        self.object = form.save()
        messages.success(
            self.request, _("The program %(title)s was created.") % {"title": self.object}
        )


class ProgramUpdateView(ProgramFormMixin, UpdateView):
    def save_program(self, form):
        self.object = form.save()
        messages.success(
            self.request, _("The program %(title)s was saved.") % {"title": self.object}
        )


@role_required(MANAGERS)
@require_POST
def program_partner_add(request, pk):
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    form = ProgramPartnerForm(request.POST, program=program)
    if not form.is_valid():
        # Show the errors where the form lives: on the program page, nothing saved.
        view = ProgramDetailView()
        view.setup(request, pk=pk)
        view.object = view.get_object()
        return view.render_to_response(view.get_context_data(partner_form=form))
    link = form.save()
    messages.success(
        request,
        _("%(partner)s was added to the program (%(role)s).")
        % {"partner": link.partner, "role": link.get_role_display()},
    )
    return redirect(program)


@role_required(MANAGERS)
@require_http_methods(["GET", "POST"])
def program_partner_remove(request, pk):
    """Remove a partner from a program: a confirmation (GET), then the removal (POST)."""
    link = get_object_or_404(
        ProgramPartner.objects.filter(
            program__in=Program.objects.in_scope(request.scope)
        ).select_related("program", "partner"),
        pk=pk,
    )
    teaching = TrainingSession.objects.filter(
        program=link.program, trainers__partner=link.partner
    ).exists()
    if teaching:
        messages.error(
            request,
            _(
                "%(partner)s cannot be removed: its trainers are assigned to sessions of this "
                "program. Change those sessions first."
            )
            % {"partner": link.partner},
        )
        return redirect(link.program)
    if request.method == "GET":
        return render(request, "programs/program_partner_remove.html", {"link": link})
    link.delete()
    messages.success(
        request, _("%(partner)s was removed from the program.") % {"partner": link.partner}
    )
    return redirect(link.program)
