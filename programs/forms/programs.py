from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programs.forms.partners import DateInput
from programs.models import (
    Partner,
    Program,
    ProgramPartner,
    ProgramTopic,
    SkillCategory,
)


class ProgramFilterForm(forms.Form):
    """The program list's GET filters; on an invalid value the error shows, unfiltered."""

    q = forms.CharField(label=_("Search by title"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Program.Status.choices],
    )
    skill_category = forms.ChoiceField(
        label=_("Skill category"),
        required=False,
        choices=[("", _("All categories")), *SkillCategory.choices],
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        required=False,
        queryset=Partner.objects.none(),
        empty_label=_("All partners"),
    )

    # The reports link the programs closed in a period: their end dates in a range.
    ended_from = forms.DateField(
        label=_("Ending from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ended_to = forms.DateField(
        label=_("Ending until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("ended_from"), cleaned.get("ended_to")
        if start and end and start > end:
            self.add_error("ended_to", _("The end date must not be before the start date."))
        return cleaned


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "title",
            "description",
            "skill_category",
            "location",
            "start_date",
            "end_date",
            "capacity",
            "attendance_threshold",
            "assessment_required",
            "discreet_issuing",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    # Closing fixed the outcomes by these rules: they change only after a reopening.
    CLOSED_FIELDS = ("attendance_threshold", "assessment_required", "discreet_issuing", "status")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        if self.instance.pk and self.instance.is_closed:
            for name in self.CLOSED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Locked while the program is closed.")
        else:
            # Closed only through "Close program", which fixes the participants' outcomes.
            status.choices = [
                choice for choice in status.choices if choice[0] != Program.Status.COMPLETED
            ]
            status.help_text = _("An admin closes the program after its last session.")

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            enrolled = self.instance.enrollments.active().count()
            if capacity < enrolled:
                raise forms.ValidationError(
                    ngettext(
                        "%(count)s inmate is already enrolled; the capacity cannot be lower.",
                        "%(count)s inmates are already enrolled; the capacity cannot be lower.",
                        enrolled,
                    ),
                    params={"count": enrolled},
                )
        return capacity

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class TopicForm(forms.ModelForm):
    class Meta:
        model = ProgramTopic
        fields = ["title", "jp", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered as a table row, so the widgets carry Bootstrap's classes themselves.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        self.fields["jp"].widget.attrs["min"] = 1
        self.fields["order"].widget.attrs["min"] = 0
        # Most programs list topics in the order typed; a blank order keeps that order.
        self.fields["order"].required = False

    def clean_order(self):
        return self.cleaned_data["order"] or 0


class BaseTopicFormSet(forms.BaseInlineFormSet):
    def clean(self):
        if any(self.errors):
            return
        titles = set()
        deleted = []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    deleted.append(form.instance)
                continue
            title = form.cleaned_data.get("title", "").strip().casefold()
            if title in titles:
                raise forms.ValidationError(
                    _("Two topics have the title “%(title)s”; each topic needs its own title."),
                    params={"title": form.cleaned_data["title"]},
                )
            titles.add(title)
        if deleted:
            # A session's topic is PROTECTed: refuse here instead of failing on delete.
            used = (
                ProgramTopic.objects.filter(pk__in=[topic.pk for topic in deleted])
                .filter(sessions__isnull=False)
                .order_by("title")
                .values_list("title", flat=True)
                .first()
            )
            if used is not None:
                raise forms.ValidationError(
                    _("Sessions use the topic “%(title)s”, so it cannot be deleted."),
                    params={"title": used},
                )
        super().clean()


TopicFormSet = forms.inlineformset_factory(
    Program,
    ProgramTopic,
    form=TopicForm,
    formset=BaseTopicFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
)


class ProgramPartnerForm(forms.ModelForm):
    """Attach a partner of the facility to a program, with at most one lead."""

    class Meta:
        model = ProgramPartner
        fields = ["partner", "role"]

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance.program = program
        self.fields["partner"].queryset = (
            Partner.objects.filter(facility_id=program.facility_id, is_active=True)
            .exclude(program_links__program=program)
            .order_by("name")
        )

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role == ProgramPartner.Role.LEAD:
            lead = self.program.program_partners.filter(role=role).select_related("partner").first()
            if lead is not None:
                raise forms.ValidationError(
                    _("%(partner)s is already the lead partner; a program has one lead."),
                    params={"partner": lead.partner},
                )
        return role
