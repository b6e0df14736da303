"""Programs with their topics and partners: every role reads (trainers their partner's only)."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from lapas_training.access import ALL_ROLES, MANAGERS, RoleRequiredMixin, role_required
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
    TrainingSession,
)

# Lead first, then co-trainers, then market partners: the order certificates name them in.
PARTNER_ROLE_ORDER = {role: index for index, role in enumerate(ProgramPartner.Role.values)}


def partner_links():
    """A program's partners with the partner itself, for prefetching (one query)."""
    return Prefetch("program_partners", queryset=ProgramPartner.objects.select_related("partner"))


class ProgramListView(RoleRequiredMixin, ListView):
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
            .prefetch_related(partner_links())
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

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, can_manage=self.request.user.can_manage, **kwargs
        )


class ProgramDetailView(RoleRequiredMixin, DetailView):
    roles = ALL_ROLES
    template_name = "programs/program_detail.html"
    context_object_name = "program"

    def get_queryset(self):
        scope = self.request.scope
        enrollments = Enrollment.objects.select_related("inmate").order_by(
            "inmate__full_name", "pk"
        )
        if scope.is_trainer:
            # A trainer teaches the current participants; who left and why is not theirs to see.
            enrollments = enrollments.filter(status=Enrollment.Status.ACTIVE)
        sessions = (
            TrainingSession.objects.select_related("topic")
            .prefetch_related(
                Prefetch("trainers", queryset=User.objects.order_by("first_name", "last_name"))
            )
            .order_by("date", "start_time")
        )
        return Program.objects.in_scope(scope).prefetch_related(
            "topics",
            partner_links(),
            Prefetch("sessions", queryset=sessions),
            Prefetch("enrollments", queryset=enrollments),
            Prefetch(
                "product_photos", queryset=ProductPhoto.objects.select_related("enrollment__inmate")
            ),
            Prefetch("events", queryset=ProgramEvent.objects.prefetch_related("guests")),
        )

    def get_context_data(self, **kwargs):
        program = self.object
        can_manage = self.request.user.can_manage
        if can_manage and "partner_form" not in kwargs:
            kwargs["partner_form"] = ProgramPartnerForm(program=program)
        # Any trainer who sees the program teaches for it, so may photograph its products.
        can_upload = can_manage or self.request.scope.is_trainer
        if can_upload and "product_photo_form" not in kwargs:
            kwargs["product_photo_form"] = ProductPhotoForm(
                enrollments=photo_participants(program, self.request.scope)
            )
        enrollments = program.enrollments.all()
        today = timezone.localdate()
        sessions = program.sessions.all()
        return super().get_context_data(
            can_manage=can_manage,
            can_read_completion=not self.request.scope.is_trainer,
            is_admin=self.request.user.is_admin,
            today=today,
            unrecorded_count=sum(
                session.status == TrainingSession.Status.SCHEDULED and session.date < today
                for session in sessions
            ),
            is_trainer=self.request.scope.is_trainer,
            topics=program.topics.all(),
            total_jp=program.total_jp,
            partner_links=sorted(
                program.program_partners.all(),
                key=lambda link: (PARTNER_ROLE_ORDER.get(link.role, 99), link.partner.name),
            ),
            sessions=sessions,
            enrollments=enrollments,
            seats_taken=sum(1 for e in enrollments if e.status == Enrollment.Status.ACTIVE),
            product_photos=program.product_photos.all(),
            events=program.events.all(),
            **kwargs,
        )


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
