"""The period picker every report page shares."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lapas_training.reports.periods import Period

# A custom span longer than this is a mistake (or a way to make the server draw a hundred
# years of months); a year or two is what anyone reports on.
MAX_CUSTOM_DAYS = 5 * 366
FIRST_YEAR = 2000
LAST_YEAR = 2100
DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """Reads the period from GET: period=month|quarter|year|custom with month=YYYY-MM,
    quarter=YYYY-Q, year=YYYY or start/end=YYYY-MM-DD. Only the field of the chosen kind is
    required; the others are ignored."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("custom", _("Custom dates")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "month", "placeholder": "2025-08", "class": "form-control"}
        ),
    )
    quarter = forms.CharField(
        label=_("Quarter"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    start = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        # The quarters of the last few years and the current one, newest first; a bound value
        # outside them (a bookmarked link) stays selectable.
        choices = [
            (f"{year}-{quarter}", Period.quarter(year, quarter).label)
            for year in range(today.year, today.year - 5, -1)
            for quarter in (4, 3, 2, 1)
        ]
        bound = self.data.get("quarter") if self.is_bound else None
        if bound and bound not in dict(choices) and re.fullmatch(r"\d{4}-[1-4]", bound):
            choices.insert(0, (bound, Period.quarter(*map(int, bound.split("-"))).label))
        self.fields["quarter"].widget.choices = choices

    def clean_month(self):
        value = self.cleaned_data["month"]
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not match or not 1 <= int(match[2]) <= 12 or not self._year_ok(int(match[1])):
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2025-08."))
        return int(match[1]), int(match[2])

    def clean_quarter(self):
        value = self.cleaned_data["quarter"]
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-([1-4])", value)
        if not match or not self._year_ok(int(match[1])):
            raise forms.ValidationError(_("Choose a quarter from the list."))
        return int(match[1]), int(match[2])

    @staticmethod
    def _year_ok(year):
        return FIRST_YEAR <= year <= LAST_YEAR

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("period")
        needed = {"month": ["month"], "quarter": ["quarter"], "year": ["year"]}
        for name in needed.get(kind, ["start", "end"] if kind == "custom" else []):
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, _("This field is required for the chosen period."))
        start, end = cleaned.get("start"), cleaned.get("end")
        if kind == "custom" and start and end:
            if start > end:
                self.add_error("end", _("The end date must not be before the start date."))
            elif (end - start).days > MAX_CUSTOM_DAYS:
                self.add_error("end", _("Choose a span of at most five years."))
            elif not (self._year_ok(start.year) and self._year_ok(end.year)):
                self.add_error("start", _("Choose dates between 2000 and 2100."))
        return cleaned

    def chosen_period(self):
        """The period of a valid form."""
        data, kind = self.cleaned_data, self.cleaned_data["period"]
        if kind == "month":
            return Period.month(*data["month"])
        if kind == "quarter":
            return Period.quarter(*data["quarter"])
        if kind == "year":
            return Period.year(data["year"])
        return Period.custom(data["start"], data["end"])


def period_from_request(request, today=None):
    """(Period, form) for the request's GET parameters. No `period` parameter gives the current
    month; invalid input gives the form with its errors and the current month (never a 500)."""
    today = today or timezone.localdate()
    default = Period.containing(today)
    if "period" not in request.GET:
        return default, PeriodForm(initial=default.params(), today=today)
    form = PeriodForm(request.GET, today=today)
    if form.is_valid():
        return form.chosen_period(), form
    return default, form
