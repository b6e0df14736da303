import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from lapas_training.models import Role, User
from programs.models import TrainingSession
from programs.services import TOPICS_IN_ORDER

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]

SLOT_TAKEN = _("This program already has a session on this date at this start time.")

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class TrainerChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Trainers"))
        kwargs.setdefault("help_text", _("Trainers of the partners attached to this program."))
        super().__init__(queryset=User.objects.none(), required=False, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj} ({obj.partner})"


def program_trainers(program):
    """Trainers whose partner is attached to `program`, with their partner (one query)."""
    return (
        User.objects.filter(
            role=Role.TRAINER,
            facility=program.facility_id,
            partner__program_links__program=program,
        )
        .select_related("partner")
        .order_by("first_name", "last_name", "username")
    )


class ProgramSlotMixin:
    """Checks shared by the single-session and the series forms: dates and times of a program."""

    def limit_date_pickers(self, *fields):
        """Let the browser's date picker offer only the program's days."""
        for field in fields:
            self.fields[field].widget.attrs.update(
                min=self.program.start_date.isoformat(), max=self.program.end_date.isoformat()
            )

    def check_within_program(self, field):
        day = self.cleaned_data.get(field)
        program = self.program
        if day and not program.start_date <= day <= program.end_date:
            self.add_error(
                field,
                _("Choose a date within the program, from %(start)s to %(end)s.")
                % {"start": date_format(program.start_date), "end": date_format(program.end_date)},
            )

    def check_end_after_start(self):
        start, end = self.cleaned_data.get("start_time"), self.cleaned_data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end time must be after the start time."))


class SessionForm(ProgramSlotMixin, forms.ModelForm):
    """One session of a program; the program comes from the URL, never from the form."""

    trainers = TrainerChoiceField()

    class Meta:
        model = TrainingSession
        fields = ["date", "start_time", "end_time", "topic", "location", "trainers"]
        widgets = {"date": DATE_WIDGET, "start_time": TIME_WIDGET, "end_time": TIME_WIDGET}
        help_texts = {"location": _("Leave empty to use the program's location.")}

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance.program = program
        self.fields["topic"].queryset = program.topics.all()
        self.fields["trainers"].queryset = program_trainers(program)
        self.limit_date_pickers("date")

    def clean(self):
        cleaned = super().clean()
        self.check_within_program("date")
        self.check_end_after_start()
        day, start = cleaned.get("date"), cleaned.get("start_time")
        if day and start:
            clash = TrainingSession.objects.filter(program=self.program, date=day, start_time=start)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("start_time", SLOT_TAKEN)
        return cleaned


class SessionGenerateForm(ProgramSlotMixin, forms.Form):
    """A series of sessions: every chosen weekday in a date range, in one time slot."""

    date_from = forms.DateField(label=_("From date"), widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To date"), widget=DATE_WIDGET)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one weekday.")},
    )
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("End time"), widget=TIME_WIDGET)
    topic = forms.ChoiceField(
        label=_("Topic"),
        required=False,
        help_text=_(
            "In order: the program's topics one after the other, each for its JP (45 minutes "
            "each); a session takes the topic that fills most of its time."
        ),
    )
    trainers = TrainerChoiceField()

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.topics = {str(topic.pk): topic for topic in program.topics.all()}
        self.fields["topic"].choices = [
            ("", _("No topic")),
            (TOPICS_IN_ORDER, _("All topics in order, by their JP")),
            *((pk, topic.title) for pk, topic in self.topics.items()),
        ]
        self.fields["trainers"].queryset = program_trainers(program)
        self.limit_date_pickers("date_from", "date_to")
        if not self.is_bound:
            self.initial.setdefault("date_from", program.start_date)
            self.initial.setdefault("date_to", program.end_date)
            self.initial.setdefault("weekdays", [0, 1, 2, 3, 4])

    def clean(self):
        cleaned = super().clean()
        self.check_within_program("date_from")
        self.check_within_program("date_to")
        self.check_end_after_start()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end of the range must not be before its start."))
        if cleaned.get("topic") == TOPICS_IN_ORDER and not self.topics:
            self.add_error("topic", _("This program has no topics yet; add them first."))
        return cleaned

    def clean_topic(self):
        """None, TOPICS_IN_ORDER, or one of the program's topics."""
        value = self.cleaned_data["topic"]
        if value == TOPICS_IN_ORDER:
            return value
        return self.topics.get(value)

    def matching_dates(self):
        """The days of the (valid) range that fall on a chosen weekday."""
        first, last = self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        weekdays = set(self.cleaned_data["weekdays"])
        days = (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
        return [day for day in days if day.weekday() in weekdays]


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason for cancelling the session.")},
    )


FILTER_DATE_WIDGET = forms.DateInput(
    attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
)


class SessionFilterForm(forms.Form):
    """The session list's status and date range (the reports link here with held sessions of
    a period); an invalid value shows its error and is ignored."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *TrainingSession.Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=FILTER_DATE_WIDGET)
    date_to = forms.DateField(label=_("Until"), required=False, widget=FILTER_DATE_WIDGET)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            # Neither end of a reversed range is meant: the range is dropped whole.
            self.add_error("date_to", _("The end date must not be before the start date."))
            del cleaned["date_from"]
        return cleaned

    def filter(self, sessions):
        """Narrow `sessions` by the valid fields; (sessions, whether a date range applies)."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("status"):
            sessions = sessions.filter(status=data["status"])
        if data.get("date_from"):
            sessions = sessions.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            sessions = sessions.filter(date__lte=data["date_to"])
        return sessions, bool(data.get("date_from") or data.get("date_to"))
