from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from inmates.models import Inmate
from programs.models import Enrollment


class InmatePickForm(forms.Form):
    """The inmates chosen on the enrol page; `candidates` is what may be chosen at all."""

    inmates = forms.ModelMultipleChoiceField(
        label=_("Inmates"),
        queryset=Inmate.objects.none(),
        error_messages={
            "required": _("Choose at least one inmate."),
            "invalid_choice": _(
                "One of the chosen inmates cannot be enrolled in this program: not in this "
                "facility, not in custody or already enrolled."
            ),
            "invalid_pk_value": _("“%(pk)s” is not an inmate."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inmates"].queryset = candidates


class WithdrawForm(forms.ModelForm):
    """Ends an active enrolment: when and why."""

    ended_on = forms.DateField(
        label=_("Withdrawal date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason for withdrawal.")},
    )

    class Meta:
        model = Enrollment
        fields = ["ended_on", "end_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        # An active enrolment has no end date yet: propose today.
        self.initial["ended_on"] = self.initial.get("ended_on") or today
        self.fields["ended_on"].widget.attrs.update(
            min=self.instance.enrolled_on.isoformat(), max=today.isoformat()
        )

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on < self.instance.enrolled_on:
            raise forms.ValidationError(
                _("The withdrawal date cannot be before the enrolment on %(date)s.")
                % {"date": date_format(self.instance.enrolled_on)}
            )
        if ended_on > timezone.localdate():
            raise forms.ValidationError(_("The withdrawal date cannot be in the future."))
        return ended_on
