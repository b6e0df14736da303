"""The project's template tags: cheaper stand-ins where a page pays for Django's general
machinery many times over (issue #12).

    {% load lapas %}
    <a href="{% url_of 'programs:program_list' %}">   {# {% url %} without arguments, remembered #}

Fields in crispy's markup without its templates: {% load bootstrap_fields %}
(lapas_training/bootstrap_fields.py).
"""

from django import template

from lapas_training import links

register = template.Library()


@register.simple_tag
def url_of(name):
    """{% url name %} for a URL without arguments, reversed once (lapas_training.links)."""
    return links.url_of(name)
