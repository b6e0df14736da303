"""The form renderer (settings.FORM_RENDERER): Django's own, with its simplest widget templates
written in Python.

Django renders every widget through its template engine: a date input costs some 150 µs, a
select some 90 µs an option (each option is an include), and crispy's fields go through the
same widgets, so a filter form with a select of the facility's programs cost milliseconds.
The templates below are short and fixed (django/forms/templates/django/forms/widgets/); this
module writes the same markup byte for byte (tests/lapas_training/test_form_renderer.py
compares them), escaping and localising as the template would. This renderer's engine reads
django/forms/templates before any app's, so these names are always Django's own; any other
template (crispy's, a widget's own) still goes through the engine.
"""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

_WIDGETS = "django/forms/widgets/"
# The widget templates that only include input.html.
_INPUTS = {
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "search",
        "email",
        "url",
        "tel",
        "number",
        "password",
        "hidden",
        "date",
        "time",
        "datetime",
        "color",
    )
}


def _formatted(value):
    """{{ value|stringformat:'s' }}: safe input stays unescaped, as the filter is_safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    html = []
    for name, value in attrs.items():
        if value is False:
            continue
        html.append(" " + conditional_escape(name))
        if value is not True:
            html.append(f'="{_formatted(value)}"')
    return "".join(html)


def _input(widget, context):
    """django/forms/widgets/input.html."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _option(option, context):
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{_formatted(option["value"])}"'
        f"{_attrs(option['attrs'])}>{render_value_in_context(option['label'], context)}</option>"
    )


def _select(widget, context):
    """django/forms/widgets/select.html, with its options' select_option.html."""
    html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{render_value_in_context(group_name, context)}">')
        for option in options:
            # The included option template ends with a newline of its own.
            html.append("\n  " + _option(option, context) + "\n")
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


def _textarea(widget, context):
    """django/forms/widgets/textarea.html."""
    value = widget["value"]
    shown = render_value_in_context(value, context) if value else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{shown}</textarea>"
    )


class FastWidgetRenderer(DjangoTemplates):
    """DjangoTemplates (Django's default) with the widgets above written in Python."""

    def render(self, template_name, context, request=None):
        writer = self._writer(template_name)
        if writer is None:
            return super().render(template_name, context, request)
        widget = context["widget"]
        # Options carry their own template: only Django's option goes the quick way.
        if writer is _select and any(
            option["template_name"] != f"{_WIDGETS}select_option.html"
            for _name, options, _index in widget["optgroups"]
            for option in options
        ):
            return super().render(template_name, context, request)
        return mark_safe(writer(widget, Context(autoescape=True)))

    def _writer(self, template_name):
        if template_name in _INPUTS:
            return _input
        return {f"{_WIDGETS}select.html": _select, f"{_WIDGETS}textarea.html": _textarea}.get(
            template_name
        )
