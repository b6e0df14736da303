from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from inmates.forms import DepartureForm, InmateFilterForm, InmateForm
from inmates.models import Inmate
from inmates.outcomes import inmate_follow_up, record_consent
from inmates.photos import photo_response
from inmates.services import record_departure
from lapas_training import audit
from lapas_training.access import ALL_ROLES, MANAGERS, READERS, RoleRequiredMixin, role_required
from lapas_training.links import url_by_pk
from programs.models import Enrollment
from programs.products import inmate_earnings

# How many of an inmate's recorded changes the detail page lists, newest first.
HISTORY_LIMIT = 20


class InmateListView(RoleRequiredMixin, ListView):
    """The facility's register, 50 inmates a page, each with how many programs they joined.

    Queries: the facility's blocks (the filter form), the paginator's count, the page of
    inmates and the program counts of that page's inmates only. Each row's link and labels
    are set in Python (`with_row_labels`).
    """

    roles = READERS
    template_name = "inmates/inmate_list.html"
    context_object_name = "inmates"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        self.filter_form, self.register = filtered_register(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.register

    def paginate_queryset(self, queryset, page_size):
        paginator, page, inmates, is_paginated = super().paginate_queryset(queryset, page_size)
        # Counted after paginating: a count annotated on the register would group every
        # enrolment of the facility's inmates to show fifty of them.
        page.object_list = with_row_labels(with_program_counts(list(inmates)))
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


def filtered_register(request):
    """The inmate register as the list's search and filters in `request.GET` narrow it.

    Returns the filter form and the inmates ordered by name (served by the index
    `inmates_inmate_fac_name`); the list and its export both use it so that a download holds
    what the page shows. Costs one query now (the facility's blocks, for the block filter);
    the inmates are lazy.
    """
    facility_inmates = Inmate.objects.in_scope(request.scope)
    blocks = (
        facility_inmates.exclude(block="")
        .order_by("block")
        .values_list("block", flat=True)
        .distinct()
    )
    form = InmateFilterForm(request.GET, blocks=blocks, facility=request.scope.facility)
    inmates = form.filter(facility_inmates)
    return form, inmates.order_by("full_name", "pk")


def with_program_counts(inmates):
    """`inmates` (a list) with `program_count` set on each: its enrolments in any status.

    One query grouped over the given inmates' ids, none for an empty list.
    """
    if not inmates:
        return inmates
    counts = dict(
        Enrollment.objects.filter(inmate__in=[inmate.pk for inmate in inmates])
        .order_by()
        .values_list("inmate")
        .annotate(count=Count("pk"))
    )
    for inmate in inmates:
        inmate.program_count = counts.get(inmate.pk, 0)
    return inmates


def with_row_labels(inmates):
    """`inmates` (a list) with each row's cells as the list shows them: `url` (the detail
    page), `gender_label`, `place` (block / room), `status_label` and `release` (the
    expected release date).

    Written here once for the page rather than by template filters and get_*_display calls
    in each of fifty rows (a display call rebuilds the choices' translated labels, and
    reverse() a row cost as much again).
    """
    genders = {value: str(label) for value, label in Inmate.Gender.choices}
    statuses = {value: str(label) for value, label in Inmate.Status.choices}
    detail_url = url_by_pk("inmates:inmate_detail")
    for inmate in inmates:
        inmate.url = detail_url(inmate.pk)
        inmate.gender_label = genders.get(inmate.gender, inmate.gender)
        inmate.place = inmate.block or "–"
        if inmate.room:
            inmate.place += f" / {inmate.room}"
        inmate.status_label = statuses.get(inmate.status, inmate.status)
        date = inmate.expected_release_date
        inmate.release = date_format(date) if date else "–"
    return inmates


def annotate_program_counts(inmates):
    """`inmates` (a queryset) annotated with `program_count`, counted per row.

    For a download that streams the whole register: a correlated count reads each inmate's
    enrolments through their index instead of grouping every enrolment joined to the register.
    """
    count = (
        Enrollment.objects.filter(inmate=OuterRef("pk"))
        .order_by()
        .values("inmate")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return inmates.annotate(
        program_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
    )


class InmateDetailView(RoleRequiredMixin, DetailView):
    roles = READERS
    template_name = "inmates/inmate_detail.html"
    context_object_name = "inmate"

    def get_queryset(self):
        return Inmate.objects.in_scope(self.request.scope)

    def get_context_data(self, **kwargs):
        inmate = self.object
        enrollments = inmate.enrollments.select_related("program").order_by(
            "-program__start_date", "-enrolled_on", "-pk"
        )
        # Follow-ups name what a person does after release: staff and admins only, not the viewer.
        follow_up = inmate_follow_up(inmate) if self.request.user.can_manage else None
        return super().get_context_data(
            enrollments=enrollments,
            changes=inmate_changes(inmate),
            follow_up=follow_up,
            product_earnings=inmate_earnings(inmate),
            **kwargs,
        )


def inmate_changes(inmate):
    """The inmate's recorded changes, newest first, each with who, when and what changed.

    One query: the newest HISTORY_LIMIT records plus the one before them to diff against.
    """
    records = list(
        inmate.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_LIMIT + 1
        ]
    )
    fields = {field.name: field for field in Inmate._meta.fields}
    changes = []
    # The last fetched record only serves as the base of the one before it.
    for record, previous in zip(records[:HISTORY_LIMIT], [*records[1:], None], strict=False):
        diffs = []
        if previous is not None:
            for change in record.diff_against(previous, foreign_keys_are_objs=False).changes:
                field = fields.get(change.field)
                # The facility is the scope of the page, not data an officer edits here; the
                # thumbnail always changes with the photo.
                if field is None or field.name in ("facility", "photo_thumbnail"):
                    continue
                diffs.append(
                    {
                        "field": field.verbose_name,
                        "old": _display(field, change.old),
                        "new": _display(field, change.new),
                    }
                )
        created = record.history_type == "+"
        # A save that changed nothing the page shows is noise in the list.
        if created or diffs:
            changes.append({"record": record, "created": created, "diffs": diffs})
    return changes


def _display(field, value):
    """A stored value as the user reads it: choice labels rather than codes."""
    # A photo's file name is random and means nothing to the reader.
    if isinstance(field, models.FileField):
        return _("a photo") if value else ""
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


class InmateFormMixin(RoleRequiredMixin):
    roles = MANAGERS
    form_class = InmateForm
    template_name = "inmates/inmate_form.html"
    success_message = ""

    def get_queryset(self):
        return Inmate.objects.in_scope(self.request.scope)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "facility": self.request.scope.facility}

    def form_valid(self, form):
        inmate = form.instance
        inmate.facility = self.request.scope.facility
        old_names = inmate.photo.name, inmate.photo_thumbnail.name
        old_files = set(old_names) - {""}
        if form.cleaned_data["photo"]:
            full, thumbnail = form.cleaned_data["photo"]
            inmate.photo.save(full.name, full, save=False)
            inmate.photo_thumbnail.save(thumbnail.name, thumbnail, save=False)
        elif form.cleaned_data.get("remove_photo"):
            inmate.photo = inmate.photo_thumbnail = ""
        new_files = {inmate.photo.name, inmate.photo_thumbnail.name} - {""}
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:
            # Another officer saved the same number between our check and this save.
            _delete_files(new_files - old_files)
            inmate.photo.name, inmate.photo_thumbnail.name = old_names
            form.add_error(
                "registration_number",
                _("This registration number is already used in this facility."),
            )
            return self.form_invalid(form)
        # Only once the row points at the new files: a failed save keeps the old photo whole.
        _delete_files(old_files - new_files)
        messages.success(self.request, self.success_message % {"name": self.object.full_name})
        return response


class InmateCreateView(InmateFormMixin, CreateView):
    extra_context = {"title": gettext_lazy("New inmate")}
    success_message = gettext_lazy("%(name)s was added.")


class InmateUpdateView(InmateFormMixin, UpdateView):
    extra_context = {"title": gettext_lazy("Edit inmate")}
    success_message = gettext_lazy("The changes to %(name)s were saved.")


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def inmate_departure(request, pk):
    """Record that an inmate was released or transferred, which ends their active enrolments."""
    inmate = get_object_or_404(Inmate.objects.in_scope(request.scope), pk=pk)
    if inmate.status != Inmate.Status.ACTIVE:
        messages.info(request, _("%(name)s is no longer in custody.") % {"name": inmate.full_name})
        return redirect(inmate)
    posted = request.method == "POST"
    form = DepartureForm(request.POST if posted else None, inmate=inmate)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                closed = record_departure(
                    inmate=inmate,
                    kind=data["kind"],
                    date=data["date"],
                    destination=data["destination"],
                    by=request.user,
                )
                # Asked at release only; a missing answer is recorded later from the inmate's page.
                if data["kind"] == Inmate.Status.RELEASED and data["follow_up_consent"] is not None:
                    record_consent(
                        inmate=inmate,
                        consented=data["follow_up_consent"],
                        on=data["date"],
                        by=request.user,
                    )
        except ValidationError as error:
            # A date before an enrolment began, or another officer was quicker: shown on the
            # form, so the officer can correct the date.
            form.add_error(None, error)
        else:
            kind = dict(form.fields["kind"].choices).get(data["kind"], data["kind"])
            audit.record(
                request,
                kind=audit.Kind.DEPARTURE,
                facility=inmate.facility_id,
                user=request.user,
                obj=inmate,
                detail=f"{kind} {data['date']:%Y-%m-%d} {data['destination']}".strip(),
            )
            messages.success(
                request,
                ngettext(
                    "The departure of %(name)s was recorded; %(count)d enrolment was closed.",
                    "The departure of %(name)s was recorded; %(count)d enrolments were closed.",
                    closed,
                )
                % {"name": inmate.full_name, "count": closed},
            )
            return redirect(inmate)
    return render(request, "inmates/inmate_departure.html", {"inmate": inmate, "form": form})


def _delete_files(names):
    storage = Inmate._meta.get_field("photo").storage
    for name in names:
        storage.delete(name)


@require_safe
@role_required(ALL_ROLES)
def inmate_photo(request, pk, thumbnail=False):
    """The inmate's portrait (or its thumbnail) to those allowed to see it; 404 for others."""
    inmate = get_object_or_404(Inmate.objects.in_scope(request.scope), pk=pk)
    return photo_response(inmate.photo_thumbnail if thumbnail else inmate.photo)
