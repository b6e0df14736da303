"""Small assertions the view tests share."""

from html.parser import HTMLParser

from django.contrib.messages import get_messages
from django.urls import reverse


def assert_answer(response, expected):
    """`expected` is a status code, or "login" for the redirect an anonymous user gets."""
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected


def log_in(client, username, password, **extra):
    """Log in through the login page, as a person does; True when it let them in.

    Not `client.login`: it authenticates without a request, which the lockout backend (axes)
    refuses, since it counts failures per address. `extra` sets request headers (REMOTE_ADDR).
    Whoever was logged in on `client` is logged out first, as `client.login` does.
    """
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password}, **extra)
    return response.status_code == 302 and not response.url.startswith(reverse("login"))


def page(response):
    return response.content.decode()


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class _FormReader(HTMLParser):
    """What a browser would submit from the page's POST forms, as {form index: [(name, value)]}."""

    def __init__(self):
        super().__init__()
        self.forms, self.form, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.form = []
            self.forms.append(self.form)
        elif self.form is None or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if kind not in {"submit", "button", "file"}:
                self.form.append(
                    (attrs["name"], attrs.get("value") or ("on" if kind == "checkbox" else ""))
                )
        elif tag == "select" and attrs.get("name"):
            self.select = [attrs["name"], None]
        elif tag == "option" and self.select is not None:
            if "selected" in attrs or self.select[1] is None:
                self.select[1] = attrs.get("value", "")
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            self.form.append(tuple(self.select))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # The HTML parser keeps the newline after <textarea>, which browsers drop.
            self.form.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None


def form_as_rendered(response, field):
    """The POST data a browser sends when the page's POST form holding `field` is submitted as
    shown. A field the template forgot to render is missing here, as it is from the browser.
    """
    reader = _FormReader()
    reader.feed(page(response))
    form = next(form for form in reader.forms if any(name == field for name, _ in form))
    data = {}
    for name, value in form:
        data.setdefault(name, []).append(value)
    return data
