"""Small assertions the view tests share."""

from django.contrib.messages import get_messages
from django.urls import reverse


def assert_answer(response, expected):
    """`expected` is a status code, or "login" for the redirect an anonymous user gets."""
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected


def page(response):
    return response.content.decode()


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]
