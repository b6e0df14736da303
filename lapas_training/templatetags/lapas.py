"""The project's template tags: cheaper stand-ins where a page pays for Django's or crispy's
general machinery many times over (issue #12).

    {% load lapas %}
    <a href="{% url_of 'programs:program_list' %}">   {# {% url %} without arguments, remembered #}
    {{ form.q|as_field }}                              {# {{ form.q|as_crispy_field }} #}
    {{ form|as_fields }}                               {# {{ form|crispy }} #}

`as_field` and `as_fields` write crispy-bootstrap5's markup for a field (wrapper, label with the
required asterisk, the widget with Bootstrap's classes, errors, help text) in Python: crispy's
field.html costs some 0.7 ms a field through the template engine, a filter form of six fields
4 ms a page. Fields crispy lays out otherwise (radio and checkbox lists, files, multi-widgets,
a form with a FormHelper) still go through crispy, so every field reads as it did.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.forms.formsets import BaseFormSet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from lapas_training import links

register = template.Library()

# The widgets crispy lays out with markup of their own (bootstrap5/field.html).
_CRISPY_LAYOUTS = (
    forms.CheckboxSelectMultiple,
    forms.RadioSelect,
    forms.FileInput,
    forms.MultiWidget,
)


@register.simple_tag
def url_of(name):
    """{% url name %} for a URL without arguments, reversed once (lapas_training.links)."""
    return links.url_of(name)


@register.filter
def as_field(field):
    """{{ field|as_crispy_field }}: the same Bootstrap markup, written without templates."""
    widget = field.field.widget
    if (
        getattr(field.form, "helper", None) is not None
        or isinstance(widget, _CRISPY_LAYOUTS)
        or hasattr(widget, "widget")
        or field.use_fieldset
    ):
        return as_crispy_field(field)
    if field.is_hidden:
        return str(field)
    return mark_safe(_field(field, widget))


@register.filter
def as_fields(form):
    """{{ form|crispy }}: the form's errors, then each field as `as_field` writes it."""
    if isinstance(form, BaseFormSet):
        return as_crispy_form(form)
    errors = form.non_field_errors()
    html = []
    if errors:
        html.append(
            format_html(
                '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
                format_html_join("", "<li>{}</li>", ((error,) for error in errors)),
            )
        )
    html.extend(str(as_field(field)) for field in form)
    return mark_safe("".join(html))


def _field(field, widget):
    checkbox = isinstance(widget, forms.CheckboxInput)
    if checkbox:
        control = "form-check-input"
    elif isinstance(widget, forms.Select):
        control = "form-select"
    else:
        control = "form-control"
    _add_classes(widget, control + (" is-invalid" if field.errors else ""))
    css = field.css_classes()
    wrapper_id = f"div_{field.auto_id}"
    label = _label(field, "form-check-label" if checkbox else "form-label")
    feedback = format_html("{}{}", _errors(field), _help(field))
    if checkbox:
        return format_html(
            '<div class="mb-3"><div id="{}" class="form-check{}">{}{}{}</div></div>',
            wrapper_id,
            f" {css}" if css else "",
            str(field),
            label,
            feedback,
        )
    return format_html(
        '<div id="{}" class="mb-3{}">{}{}{}</div>',
        wrapper_id,
        f" {css}" if css else "",
        label if field.label else "",
        str(field),
        feedback,
    )


def _add_classes(widget, classes):
    """What crispy's {% crispy_field %} does to the widget: its own class name (e.g.
    "textinput"), then Bootstrap's classes, each once."""
    css = widget.attrs.get("class", "")
    name = widget.__class__.__name__.lower()
    if not css:
        css = name
    elif name not in css:
        css += f" {name}"
    present = css.split()
    css += "".join(f" {cls}" for cls in classes.split() if cls not in present)
    widget.attrs["class"] = css


def _label(field, css):
    required = field.field.required
    return format_html(
        '<label{} class="{}{}">{}{}</label>',
        format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
        css,
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )


def _errors(field):
    if not field.errors:
        return ""
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        field.errors.field_id,
        format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((n, field.auto_id, error) for n, error in enumerate(field.errors, 1)),
        ),
    )


def _help(field):
    if not field.help_text:
        return ""
    # crispy prints help text as safe, as Django's own form templates do.
    text = mark_safe(field.help_text)
    if field.auto_id:
        return format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, text)
    return format_html('<div class="form-text">{}</div>', text)
