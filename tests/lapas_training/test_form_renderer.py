"""lapas_training.form_renderer: the widgets written in Python read exactly as Django's
templates write them, and the project renders its forms with it."""

import datetime

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from inmates.forms import InmateForm
from lapas_training.form_renderer import FastWidgetRenderer

CASES = [
    (forms.TextInput(), "q", None, {}),
    (forms.TextInput(), "q", 'Budi "B" <Santoso> & co', {"id": "id_q", "maxlength": 100}),
    (forms.TextInput(attrs={"required": True, "disabled": False}), "q", "", {"id": "id_q"}),
    (forms.TextInput(), "q", mark_safe("<b>safe</b>"), {"data-x": mark_safe("<i>")}),
    (forms.TextInput(), "q", ("a", 1), {}),
    (forms.NumberInput(), "n", 12345, {"min": 0, "step": 0.5}),
    (forms.DateInput(attrs={"class": "form-control"}), "d", datetime.date(2026, 1, 5), {}),
    (forms.DateInput(format="%Y-%m-%d"), "d", datetime.date(2026, 1, 5), {}),
    (forms.TimeInput(), "t", datetime.time(7, 30), {}),
    (forms.HiddenInput(), "h", 7, {}),
    (forms.EmailInput(), "e", "a@b.id", {"autocomplete": "email"}),
    (forms.PasswordInput(render_value=True), "p", "x<y", {}),
    (forms.Textarea(), "notes", 'Line 1\n<Line 2> & "3"', {"rows": 3}),
    (forms.Textarea(), "notes", "", {}),
    (forms.Textarea(), "notes", None, {}),
    (
        forms.Select(choices=[("", "---"), ("L", "Laki-laki"), ("P", "<Perempuan> & co")]),
        "gender",
        "P",
        {"id": "id_gender", "class": "form-select"},
    ),
    (forms.Select(choices=[(2025, 2025), (2026, 1234567)]), "year", 2026, {}),
    (
        forms.Select(choices=[("a", gettext_lazy("Status")), ("b", mark_safe("<b>B</b>"))]),
        "s",
        "",
        {},
    ),
    (
        forms.Select(choices=[("Blok", [("A", "Blok A"), ("B", "Blok B")]), ("x", "Lain")]),
        "block",
        "B",
        {},
    ),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B")]), "m", ["a", "b"], {}),
    (forms.Select(choices=[]), "empty", None, {}),
]


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize(("widget", "name", "value", "attrs"), CASES)
def test_fast_widgets_write_what_djangos_templates_write(widget, name, value, attrs, language):
    with translation.override(language):
        expected = widget.render(name, value, attrs, renderer=DjangoTemplates())
        assert widget.render(name, value, attrs, renderer=FastWidgetRenderer()) == expected


def test_other_widgets_still_go_through_the_templates():
    widget = forms.CheckboxSelectMultiple(choices=[("a", "A"), ("b", "B")])
    expected = widget.render("c", ["a"], {"id": "id_c"}, renderer=DjangoTemplates())
    assert widget.render("c", ["a"], {"id": "id_c"}, renderer=FastWidgetRenderer()) == expected
    assert 'type="checkbox"' in expected


def test_project_forms_render_with_the_fast_widgets(facility):
    assert isinstance(get_default_renderer(), FastWidgetRenderer)
    data = {"full_name": "<Budi>", "gender": "L", "birth_date": "1990-02-31"}
    fast = InmateForm(data, facility=facility)
    slow = InmateForm(data, facility=facility, renderer=DjangoTemplates())
    assert fast.as_div() == slow.as_div()
    assert render_crispy_form(fast) == render_crispy_form(slow)
    assert "&lt;Budi&gt;" in render_crispy_form(fast)
