"""{% load lapas %}: as_field and as_fields write crispy-bootstrap5's markup."""

from html.parser import HTMLParser

import pytest
from crispy_forms.helper import FormHelper
from django import forms
from django.template import Context, Template


class Everything(forms.Form):
    name = forms.CharField(label="Name <full>", help_text="As on the <b>register</b>.")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)
    status = forms.ChoiceField(label="Status", choices=[("", "All"), ("a", "Active")])
    since = forms.DateField(
        label="Since", required=False, widget=forms.DateInput(attrs={"class": "form-control"})
    )
    agree = forms.BooleanField(label="I agree", required=False)
    mandatory = forms.BooleanField(label="Confirm")
    kind = forms.ChoiceField(
        label="Kind", choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect
    )
    photo = forms.FileField(label="Photo", required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Something <wrong> with the whole form.")


class Shape(HTMLParser):
    """Tags, attributes and text of a fragment, whitespace aside: what a browser shows."""

    def __init__(self, html):
        super().__init__()
        self.events = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.events.append(("text", " ".join(data.split())))


def render(source, form):
    return Template("{% load crispy_forms_tags lapas %}" + source).render(Context({"form": form}))


FORMS = {
    "unbound": lambda: Everything(),
    "invalid": lambda: Everything({"name": "", "status": "zz", "since": "31/02", "secret": "s"}),
}


@pytest.mark.parametrize("state", FORMS)
@pytest.mark.parametrize("name", list(Everything.base_fields))
def test_as_field_reads_as_crispys_field(state, name):
    crispy = render(f"{{{{ form.{name}|as_crispy_field }}}}", FORMS[state]())
    ours = render(f"{{{{ form.{name}|as_field }}}}", FORMS[state]())
    assert Shape(ours).events == Shape(crispy).events


@pytest.mark.parametrize("state", FORMS)
def test_as_fields_reads_as_crispys_form(state):
    crispy = render("{{ form|crispy }}", FORMS[state]())
    ours = render("{{ form|as_fields }}", FORMS[state]())
    assert Shape(ours).events == Shape(crispy).events
    if state == "invalid":
        assert "Something &lt;wrong&gt; with the whole form." in ours
        assert 'class="textinput form-control is-invalid"' in ours
        assert '<span class="asteriskField">*</span>' in ours


def test_as_field_leaves_a_form_with_a_helper_to_crispy():
    form, other = Everything(), Everything()
    form.helper = other.helper = FormHelper()
    form.helper.label_class = other.helper.label_class = "col-lg-2"
    form.helper.form_class = other.helper.form_class = "form-horizontal"
    crispy = render("{{ form.name|as_crispy_field }}", form)
    assert render("{{ form.name|as_field }}", other) == crispy
    assert "col-lg-2" in crispy
