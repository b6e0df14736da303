import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Min, Q, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from inmates.outcomes import due_follow_ups
from lapas_training import audit
from lapas_training.access import (
    ADMIN_ONLY,
    ALL_ROLES,
    RoleRequiredMixin,
    check_role,
    superuser_required,
)
from lapas_training.forms import (
    FacilityChoiceForm,
    FacilitySearchForm,
    ProfileForm,
    UserCreateForm,
    UserUpdateForm,
)
from lapas_training.links import with_urls
from lapas_training.middleware import SESSION_FACILITY_KEY, SESSION_LANGUAGE_KEY
from lapas_training.models import Facility, Role, User
from lapas_training.reports.views_dashboard import month_strip
from programs.models import Enrollment, Partner, Program, TrainingSession

# Past sessions without attendance listed on the dashboard, most recent first.
UNRECORDED_SHOWN = 10
# The facility picker's page, and how many of a superuser's last choices it lists first.
PICKER_PAGE_SIZE = 25
RECENT_FACILITIES = 5
SESSION_RECENT_FACILITIES_KEY = "recent_facility_ids"


@login_required
def dashboard(request):
    """What matters today. Queries: user, facility, programs, sessions, past sessions without
    attendance, the participant count, partners, the five of this month's figures, and for
    staff and admins the one of the follow-ups due.

    Each list loads only the columns it shows, and its rows' links are set here from one
    reverse() a list (lapas_training.links) rather than one a row."""
    scope = request.scope
    if scope.region is not None:
        # A regional office reads no single facility: its home (and so the login) is the roll-up.
        return redirect("reports:rollup")
    check_role(request, ALL_ROLES)
    if scope.is_trainer:
        # A trainer's day is their sessions: the dashboard (and so the login) leads there.
        return redirect("attendance:today")
    today = timezone.localdate()
    programs = Program.objects.in_scope(scope)
    # Only the participants are shown: the session count of Program.with_counts would join
    # every session of the active programs.
    active_programs = list(
        programs.filter(status=Program.Status.ACTIVE)
        .annotate(
            participant_count=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.ACTIVE)
            )
        )
        .only("title", "start_date", "end_date")
        .order_by("start_date")
    )
    with_urls(active_programs, "programs:program_detail")
    sessions = list(
        TrainingSession.objects.in_scope(scope)
        .filter(date__gte=today, date__lte=today + datetime.timedelta(days=7))
        .exclude(status=TrainingSession.Status.CANCELLED)
        .select_related("program", "topic")
        .only("date", "start_time", "end_time", "status", "program__title", "topic__title")
        .order_by("date", "start_time")[:20]
    )
    with_urls(sessions, "programs:session_detail")
    # Past sessions nobody recorded: held without a daftar hadir entered, or never cancelled.
    unrecorded = list(
        TrainingSession.objects.in_scope(scope)
        .filter(
            date__lt=today,
            status=TrainingSession.Status.SCHEDULED,
            program__status__in=[Program.Status.DRAFT, Program.Status.ACTIVE],
        )
        .select_related("program")
        .only("date", "start_time", "program__title")
        .order_by("-date", "-start_time")[: UNRECORDED_SHOWN + 1]
    )
    with_urls(unrecorded, "attendance:mark")
    context = {
        "today": today,
        "unrecorded_sessions": unrecorded[:UNRECORDED_SHOWN],
        "more_unrecorded": len(unrecorded) > UNRECORDED_SHOWN,
        "active_programs": active_programs,
        "todays_sessions": [s for s in sessions if s.date == today],
        "upcoming_sessions": [s for s in sessions if s.date > today],
        "participant_count": Enrollment.objects.in_scope(scope)
        .filter(status=Enrollment.Status.ACTIVE, program__status=Program.Status.ACTIVE)
        .values("inmate")
        .distinct()
        .count(),
    }
    context["month"], context["month_figures"] = month_strip(scope.facility, today)
    if request.user.can_manage:
        # Follow-ups name people after release: the officers who make them, not the viewer.
        due = due_follow_ups(scope.facility, today=today)
        context["follow_ups_due"] = len(due)
        context["follow_ups_overdue"] = sum(item.overdue for item in due)
    if not scope.is_trainer:
        warn_until = today + datetime.timedelta(days=settings.AGREEMENT_EXPIRY_WARNING_DAYS)
        context["expiring_partners"] = list(
            Partner.objects.in_scope(scope)
            .filter(is_active=True)
            .annotate(
                last_valid_to=Min(
                    "agreements__valid_to", filter=Q(agreements__valid_to__gte=today)
                ),
                agreement_count=Count("agreements"),
            )
            .filter(Q(last_valid_to__lte=warn_until) | Q(last_valid_to__isnull=True))
            .only("name")
            .order_by("last_valid_to", "name")
        )
        with_urls(context["expiring_partners"], "programs:partner_detail")
    return render(request, "lapas_training/dashboard.html", context)


@superuser_required
def facility_picker(request):
    """A superuser finds the facility to work in among all of them (about 500 in a national
    install): searched, 25 to a page, the last ones chosen first, each chosen by a POST to
    `switch_facility`.

    Queries: the session, the user, the active facility (navigation bar), the count and the
    page's facilities with their regions.
    """
    form = FacilitySearchForm(request.GET)
    recent = recent_facility_ids(request.session)
    facilities = (
        form.filter(Facility.objects.select_related("region"))
        .annotate(recency=recency_rank(recent))
        .order_by("recency", "name", "pk")
    )
    page = Paginator(facilities, PICKER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "facilities": page.object_list,
        "recent_ids": recent,
        "next": safe_next(request, request.GET.get("next", "")),
    }
    return render(request, "lapas_training/facility_picker.html", context)


def recent_facility_ids(session):
    """The ids of the facilities this session chose last, the newest first."""
    ids = session.get(SESSION_RECENT_FACILITIES_KEY)
    if not isinstance(ids, list):
        return []
    return [pk for pk in ids if isinstance(pk, int)][:RECENT_FACILITIES]


def recency_rank(recent):
    """An expression ranking the facilities of `recent` 0, 1, … in its order, all others last."""
    return Case(
        *(When(pk=pk, then=Value(rank)) for rank, pk in enumerate(recent)),
        default=Value(len(recent)),
        output_field=IntegerField(),
    )


@login_required
@require_POST
def switch_facility(request):
    """A superuser picks the facility they work in; everyone else has exactly one."""
    if not request.user.is_superuser:
        raise PermissionDenied
    form = FacilityChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a facility from the list."))
        return redirect("facility_picker")
    facility = form.cleaned_data["facility"]
    request.session[SESSION_FACILITY_KEY] = facility.pk
    recent = [pk for pk in recent_facility_ids(request.session) if pk != facility.pk]
    request.session[SESSION_RECENT_FACILITIES_KEY] = [facility.pk, *recent][:RECENT_FACILITIES]
    messages.success(request, _("You are now working in %(facility)s.") % {"facility": facility})
    return HttpResponseRedirect(next_url(request))


@require_POST
def switch_language(request):
    """The navigation bar's language switch: saved on the user, or for an anonymous visitor's
    session (the login page offers it too, so no login is required)."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Choose Bahasa Indonesia or English."))
    elif request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    else:
        request.session[SESSION_LANGUAGE_KEY] = language
    return HttpResponseRedirect(next_url(request))


def next_url(request):
    """The POSTed `next` URL when it stays on this site, else the dashboard."""
    return safe_next(request, request.POST.get("next", "")) or reverse("dashboard")


def safe_next(request, url):
    """`url` when it stays on this site, else an empty string."""
    if url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return ""


class ProfileUpdateView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "lapas_training/profile_form.html"
    success_url = reverse_lazy("profile")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, _("Your profile was saved."))
        return super().form_valid(form)


class UserScopeMixin(RoleRequiredMixin):
    roles = ADMIN_ONLY

    def get_queryset(self):
        # Superusers are managed in the Django admin, not from a facility's user page.
        return (
            User.objects.filter(facility=self.request.scope.facility, is_superuser=False)
            .select_related("partner")
            .order_by("username")
        )


class UserListView(UserScopeMixin, ListView):
    template_name = "lapas_training/user_list.html"
    context_object_name = "users"
    paginate_by = 50


class UserFormMixin(UserScopeMixin):
    template_name = "lapas_training/user_form.html"
    success_url = reverse_lazy("user_list")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "facility": self.request.scope.facility}

    def form_valid(self, form):
        # Facility admins also work in the Django admin (scoped there to their facility).
        form.instance.is_staff = form.instance.role == Role.ADMIN
        return super().form_valid(form)


class UserCreateView(UserFormMixin, CreateView):
    form_class = UserCreateForm
    extra_context = {"title": gettext_lazy("New user")}

    def form_valid(self, form):
        form.instance.facility = self.request.scope.facility
        messages.success(self.request, _("The account was created."))
        response = super().form_valid(form)
        audit.record(
            self.request,
            kind=audit.Kind.USER_CREATED,
            facility=self.object.facility_id,
            user=self.request.user,
            obj=self.object,
            detail=audit.changes(form),
        )
        return response


class UserUpdateView(UserFormMixin, UpdateView):
    form_class = UserUpdateForm
    extra_context = {"title": gettext_lazy("Edit user")}

    def form_valid(self, form):
        if form.instance == self.request.user:
            # An admin who demotes or deactivates themselves could leave the facility with none.
            if not form.cleaned_data["is_active"]:
                form.add_error("is_active", _("You cannot deactivate your own account."))
            if form.cleaned_data["role"] != Role.ADMIN:
                form.add_error("role", _("You cannot take away your own admin role."))
            if form.errors:
                return self.form_invalid(form)
        messages.success(self.request, _("The account was saved."))
        detail = audit.changes(form)
        response = super().form_valid(form)
        audit.record(
            self.request,
            kind=audit.Kind.USER_CHANGED,
            facility=self.object.facility_id,
            user=self.request.user,
            obj=self.object,
            detail=detail,
        )
        return response
