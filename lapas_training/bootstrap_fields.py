"""Form fields in Bootstrap 5 markup written in Python: crispy's markup without its templates.

crispy-forms renders a field through some forty template nodes and five includes
(bootstrap5/field.html and its help-text and error templates): about half a millisecond a
field, several milliseconds for a page's filter form. `field_html` writes the same elements
and attributes for the common fields (one widget under its label, help text and errors, as
crispy's `|as_crispy_field` without a FormHelper) and hands anything else to crispy: check
boxes, radio and multi-widget fields, file inputs showing a current file and forms with a
helper. Only the whitespace between tags differs (tests/lapas_training/test_bootstrap_fields.py
compares the two). The template filters are in lapas_training/templatetags/bootstrap_fields.py.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe


def _crispy_handles(field):
    """Whether the field needs crispy's own templates (this module writes the others)."""
    widget = field.field.widget
    return (
        getattr(field.form, "helper", None) is not None
        or field.use_fieldset
        or hasattr(widget, "widgets")
        or hasattr(widget, "widget")
        or isinstance(widget, (forms.CheckboxInput, forms.RadioSelect))
        # A file input that may show the current file has crispy's clear box.
        or (isinstance(widget, forms.FileInput) and type(widget) is not forms.FileInput)
    )


def _add_classes(widget, wanted):
    """The widget's class attribute as crispy's {% crispy_field %} sets it: the widget's own
    class name lowercased, then each of `wanted` not there yet. Like crispy, it changes the
    form's copy of the widget."""
    name = type(widget).__name__.lower()
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(name) == -1:
            css_class += f" {name}"
    else:
        css_class = name
    present = css_class.split()
    for extra in wanted.split():
        if extra not in present:
            css_class += f" {extra}"
            present.append(extra)
    widget.attrs["class"] = css_class


def field_html(field):
    """One bound field as crispy's bootstrap5 field.html renders it (safe HTML)."""
    if field.is_hidden:
        return str(field)
    if _crispy_handles(field):
        return as_crispy_field(field)
    required = field.field.required
    parts = []
    if field.label:
        parts.append(
            format_html(
                '<label{} class="form-label{}">{}{}</label>',
                format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
                " requiredField" if required else "",
                field.label,
                mark_safe('<span class="asteriskField">*</span>') if required else "",
            )
        )
    if isinstance(field.field.widget, forms.FileInput):
        parts.append(_file_input(field))
    else:
        is_select = isinstance(field.field.widget, forms.Select)
        wanted = "form-select" if is_select else "form-control"
        _add_classes(field.field.widget, f"{wanted} is-invalid" if field.errors else wanted)
        parts.append(str(field))
        parts.append(_feedback(field))
    css_classes = field.css_classes()
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}</div>',
        field.auto_id,
        f" {css_classes}" if css_classes else "",
        mark_safe("".join(parts)),
    )


def _feedback(field):
    """The field's errors, then its help text (bootstrap5/layout/help_text_and_errors.html)."""
    parts = []
    if field.errors:
        parts.append(
            format_html(
                '<div id="{}_error" class="invalid-feedback">{}</div>',
                field.errors.field_id,
                format_html_join(
                    "",
                    '<p id="error_{}_{}"><strong>{}</strong></p>',
                    ((n, field.auto_id, error) for n, error in enumerate(field.errors, 1)),
                ),
            )
        )
    if field.help_text:
        # crispy marks help text safe: it is the form's own text, never the user's.
        parts.append(
            format_html(
                '<div {}class="form-text">{}</div>',
                format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else "",
                mark_safe(field.help_text),
            )
        )
    return mark_safe("".join(parts))


def _file_input(field):
    """A plain file input as bootstrap5/layout/field_file.html writes it, with its feedback."""
    (widget,) = field.subwidgets
    data = widget.data
    attrs = data["attrs"]
    css_class = "form-control"
    if attrs.get("class"):
        css_class += f" {attrs['class']}"
    if field.errors:
        css_class += " is-invalid"
    others = format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False and name != "class"
        ),
    )
    return format_html(
        '<div{}><input type="{}" name="{}" class="{}"{}{}>{}</div>',
        mark_safe(' class="is-invalid"') if field.errors else "",
        data["type"],
        data["name"],
        css_class,
        mark_safe(" disabled") if field.field.disabled else "",
        others,
        _feedback(field),
    )


def form_html(form):
    """A whole form as crispy's `|crispy` renders it without a FormHelper: the non-field
    errors, then every field (hidden ones as their input)."""
    if getattr(form, "helper", None) is not None:
        return as_crispy_form(form)
    parts = [str(form.media)]
    if form.non_field_errors():
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
                format_html_join("", "<li>{}</li>", ((e,) for e in form.non_field_errors())),
            )
        )
    parts.extend(field_html(field) for field in form)
    return mark_safe("".join(conditional_escape(part) for part in parts))
