"""A program's events (opening, closing, others) with their guests.

Managers add, edit and delete them, an event and its guests on one form; everyone who sees the
program reads them in its "Events" section (`ProgramDetailView` prefetches them).
"""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, UpdateView

from lapas_training.access import MANAGERS, RoleRequiredMixin, role_required
from programs.forms.events import (
    GuestFormSet,
    ProgramEventForm,
    initial_event,
    once_per_program_error,
)
from programs.models import Program, ProgramEvent


def events_in_scope(scope):
    """The events of the programs `scope` may see (no query until used)."""
    return ProgramEvent.objects.filter(program__in=Program.objects.in_scope(scope))


def events_section(program):
    """Where the program page shows its events."""
    return f"{program.get_absolute_url()}#events"


class EventFormMixin(RoleRequiredMixin):
    """The event and its guests on one page, validated together and saved in one transaction."""

    roles = MANAGERS
    form_class = ProgramEventForm
    template_name = "programs/event_form.html"
    context_object_name = "event"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.program}

    def get_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return GuestFormSet(data, instance=self.object, prefix="guests")

    def get_context_data(self, **kwargs):
        if "formset" not in kwargs:
            kwargs["formset"] = self.get_formset()
        return super().get_context_data(program=self.program, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.event_to_edit()
        form = self.get_form()
        formset = self.get_formset()
        # Validate both, so every error shows at once.
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                with transaction.atomic():
                    self.object = form.save()
                    formset.instance = self.object
                    formset.save()
            except IntegrityError:
                # Someone saved this program's opening (or closing) between our check and ours.
                existing = form.existing_of_kind(form.cleaned_data["kind"])
                if existing is None:
                    raise
                form.add_error("kind", once_per_program_error(existing))
            else:
                messages.success(request, self.success_message)
                if form.is_outside_program():
                    messages.warning(
                        request,
                        _("Note: the event's date lies outside the program's dates."),
                    )
                return redirect(events_section(self.program))
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


class EventCreateView(EventFormMixin, CreateView):
    @cached_property
    def program(self):
        return get_object_or_404(Program.objects.in_scope(self.request.scope), pk=self.kwargs["pk"])

    def event_to_edit(self):
        return None

    def get_initial(self):
        return initial_event(self.program)

    @property
    def success_message(self):
        return _("The event was added.")


class EventUpdateView(EventFormMixin, UpdateView):
    def get_queryset(self):
        return events_in_scope(self.request.scope).select_related("program")

    def event_to_edit(self):
        return self.get_object()

    @property
    def program(self):
        return self.object.program

    @property
    def success_message(self):
        return _("The event was saved.")


@role_required(MANAGERS)
@require_POST
def event_delete(request, pk):
    """Delete an event and its guests: a confirmation page first, then the deletion."""
    event = get_object_or_404(
        events_in_scope(request.scope).select_related("program").prefetch_related("guests"),
        pk=pk,
    )
    if request.POST.get("confirmed") != "on":
        return render(request, "programs/event_delete.html", {"event": event})
    event.delete()
    messages.success(request, _("The event “%(event)s” was deleted.") % {"event": event})
    return redirect(events_section(event.program))
