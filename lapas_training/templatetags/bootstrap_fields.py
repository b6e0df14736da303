"""crispy's field and form filters, the common fields written in Python (lapas_training.bootstrap_fields).

{% load bootstrap_fields %}
{{ form.q|bootstrap_field }}    {# as {{ form.q|as_crispy_field }} #}
{{ form|bootstrap_form }}       {# as {{ form|crispy }} for a form without a FormHelper #}
"""

from django import template

from lapas_training.bootstrap_fields import field_html, form_html

register = template.Library()
register.filter("bootstrap_field", field_html)
register.filter("bootstrap_form", form_html)
