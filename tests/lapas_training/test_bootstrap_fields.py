"""lapas_training.bootstrap_fields writes the markup crispy's templates write, whitespace aside."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.template import Context, Template

from certificates.forms import CertificateFilterForm, ReissueForm, RevokeForm
from lapas_training.bootstrap_fields import field_html, form_html
from programs.forms.photos import ProductPhotoForm
from programs.forms.programs import ProgramFilterForm, ProgramPartnerForm
from programs.models import Enrollment, Partner, Program


class Everything(forms.Form):
    """One field of each kind the pages use, and the kinds handed back to crispy."""

    text = forms.CharField(label="Name <b>", help_text="Help <i>safe</i>", max_length=10)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"class": "lead"}))
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(required=False)
    choice = forms.ChoiceField(choices=[("a", "A & B"), ("b", "B")])
    many = forms.MultipleChoiceField(required=False, choices=[("a", "A"), ("b", "B")])
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    pick = forms.ChoiceField(required=False, choices=[("a", "A")], widget=forms.RadioSelect)
    upload = forms.FileField(required=False)
    scan = forms.FileField(
        help_text="PDF", widget=forms.FileInput(attrs={"accept": "application/pdf"})
    )

    def clean(self):
        raise forms.ValidationError("Not <this> one.")


def normalised(html):
    """The markup with the whitespace between and around tags removed."""
    html = re.sub(r">\s+", ">", str(html))
    html = re.sub(r"\s+<", "<", html)
    html = re.sub(r"<label\s+for", "<label for", html)
    return re.sub(r"\s+", " ", html).strip()


BAD = {
    "text": "far too long a name",
    "count": "many",
    "choice": "z",
    "q": "x" * 300,
    "status": "nope",
    "year": "abc",
    "issued_to": "not a date",
    "ended_from": "not a date",
    "partner": "999999",
    "program": "-1",
    "reason": "",
    "holder_name": "y" * 300,
    "caption": "z" * 300,
}


def forms_of_the_pages(facility):
    program = Program.objects.filter(facility=facility).first()
    return {
        "everything": lambda data: Everything(data),
        "program filter": lambda data: ProgramFilterForm(
            data, partners=Partner.objects.filter(facility=facility)
        ),
        "certificate filter": lambda data: CertificateFilterForm(
            data, programs=Program.objects.filter(facility=facility), years=[2025, 2026]
        ),
        "revoke": lambda data: RevokeForm(data, auto_id="revoke_%s"),
        "reissue": lambda data: ReissueForm(data, auto_id="reissue_%s"),
        "partner": lambda data: ProgramPartnerForm(data, program=program),
        "product photo": lambda data: ProductPhotoForm(
            data, enrollments=Enrollment.objects.filter(program=program)
        ),
    }


@pytest.mark.parametrize("data", [None, BAD], ids=["unbound", "with errors"])
def test_fields_and_forms_are_crispys_markup(facility, program, partner, data):
    for name, make in forms_of_the_pages(facility).items():
        ours, crispys = make(data), make(data)
        if data is not None:
            assert not ours.is_valid() and not crispys.is_valid(), name
        for mine, theirs in zip(ours, crispys, strict=True):
            assert normalised(field_html(mine)) == normalised(as_crispy_field(theirs)), (
                name,
                mine.name,
            )
        ours, crispys = make(data), make(data)
        if data is not None:
            ours.is_valid(), crispys.is_valid()
        assert normalised(form_html(ours)) == normalised(as_crispy_form(crispys)), name


def test_field_escapes_what_the_user_typed_and_the_label():
    form = Everything({"text": '"><script>x</script>', "choice": "a"})
    form.is_valid()
    html = field_html(form["text"])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Name &lt;b&gt;" in html
    # The help text is the form's own and marked safe, as crispy does.
    assert "Help <i>safe</i>" in html


def test_template_filters_render_the_field_and_the_form():
    template = Template(
        "{% load bootstrap_fields %}{{ form.text|bootstrap_field }}|{{ form|bootstrap_form }}"
    )
    html = template.render(Context({"form": Everything()}))
    field, whole = html.split("|", 1)
    assert field.startswith('<div id="div_id_text" class="mb-3">')
    assert 'class="textinput form-control"' in field
    assert whole.count('class="mb-3"') >= 4
