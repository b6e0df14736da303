"""A program's events (opening, closing, others) with their guests, edited on one page.

The database holds the rules too (one opening and one closing per program, a title for another
event); the forms check them first so that a person reads a sentence, not an IntegrityError.
"""

import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programs.forms.sessions import DATE_WIDGET, TIME_WIDGET
from programs.models import ProgramEvent, ProgramEventGuest

# How far an event may lie from the program's dates: a preparation meeting a month or two
# before, an exhibition of the products some weeks after. Further out is a typing error.
EVENT_MARGIN_DAYS = 60


def once_per_program_error(existing):
    """The sentence that refuses a second opening or closing, naming the one that exists."""
    if existing.kind == ProgramEvent.Kind.OPENING:
        text = _("This program already has an opening (%(date)s); edit that one instead.")
    else:
        text = _("This program already has a closing (%(date)s); edit that one instead.")
    return text % {"date": date_format(existing.date)}


class ProgramEventForm(forms.ModelForm):
    """One event of `program`; the program comes from the URL, never from the form."""

    class Meta:
        model = ProgramEvent
        fields = ["kind", "title", "date", "start_time", "place", "notes"]
        widgets = {
            "date": DATE_WIDGET,
            "start_time": TIME_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance.program = program
        earliest, latest = self.date_range()
        self.fields["date"].widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())
        self.fields["date"].help_text = _("The program runs from %(start)s to %(end)s.") % {
            "start": date_format(program.start_date),
            "end": date_format(program.end_date),
        }

    def date_range(self):
        margin = datetime.timedelta(days=EVENT_MARGIN_DAYS)
        start, end = self.program.start_date, self.program.end_date
        # A program may end on 31 December 9999 (nothing forbids it), past which no date exists.
        earliest = start - margin if start > datetime.date.min + margin else datetime.date.min
        latest = end + margin if end < datetime.date.max - margin else datetime.date.max
        return earliest, latest

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_date(self):
        day = self.cleaned_data["date"]
        earliest, latest = self.date_range()
        if day < earliest:
            raise forms.ValidationError(
                _(
                    "This date is more than %(days)s days before the program starts "
                    "(%(start)s). Check the date."
                ),
                params={"days": EVENT_MARGIN_DAYS, "start": date_format(self.program.start_date)},
            )
        if day > latest:
            raise forms.ValidationError(
                _(
                    "This date is more than %(days)s days after the program ends (%(end)s). "
                    "Check the date."
                ),
                params={"days": EVENT_MARGIN_DAYS, "end": date_format(self.program.end_date)},
            )
        return day

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == ProgramEvent.Kind.OTHER and not cleaned.get("title"):
            self.add_error("title", _("Give another event a title, e.g. “Pameran hasil karya”."))
        if kind in (ProgramEvent.Kind.OPENING, ProgramEvent.Kind.CLOSING):
            existing = self.existing_of_kind(kind)
            if existing is not None:
                self.add_error("kind", once_per_program_error(existing))
        return cleaned

    def existing_of_kind(self, kind):
        """The program's other event of `kind`, or None (one query)."""
        others = ProgramEvent.objects.filter(program=self.program, kind=kind)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        return others.first()

    def is_outside_program(self):
        """Whether the saved date lies outside the program's own dates (allowed, but unusual)."""
        day = self.cleaned_data["date"]
        return not self.program.start_date <= day <= self.program.end_date


class GuestForm(forms.ModelForm):
    class Meta:
        model = ProgramEventGuest
        fields = ["order", "name", "position", "organisation"]
        error_messages = {"name": {"required": _("Each guest needs a name.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered as a table row, so the widgets carry Bootstrap's classes themselves.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        self.fields["order"].widget.attrs["min"] = 0
        # Most guests are listed in the order typed; a blank order keeps that order (and blank
        # new lines stay unchanged, so the formset skips them).
        self.fields["order"].required = False
        self.fields["order"].initial = None


class BaseGuestFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # A blank order takes the line's number, so that lines without one keep their place.
        for number, form in enumerate(self.forms, start=1):
            if form.cleaned_data.get("order") is None and form.has_changed():
                form.instance.order = number


GuestFormSet = forms.inlineformset_factory(
    ProgramEvent,
    ProgramEventGuest,
    form=GuestForm,
    formset=BaseGuestFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
)


def initial_event(program):
    """What a new event of `program` most likely is: its opening on the first day, then its
    closing on the last, then another; held where the program is. One query."""
    kinds = set(ProgramEvent.objects.filter(program=program).values_list("kind", flat=True))
    if ProgramEvent.Kind.OPENING not in kinds:
        kind, day = ProgramEvent.Kind.OPENING, program.start_date
    elif ProgramEvent.Kind.CLOSING not in kinds:
        kind, day = ProgramEvent.Kind.CLOSING, program.end_date
    else:
        kind, day = ProgramEvent.Kind.OTHER, None
    return {"kind": kind, "date": day, "place": program.location}
