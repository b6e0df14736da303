"""A double click, or two admins, issuing over HTTP at the same moment (#9): no 500.

Real parallel requests to the live server on PostgreSQL, whose row locks make the second
request wait for the first and then see what it issued.
"""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection
from django.urls import reverse

from certificates.models import Certificate
from tests.certificates import close, enrol, make_sessions

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks (set DATABASE_URL=postgres://…)",
    ),
    pytest.mark.django_db(transaction=True),
]

CLICKS = 4
ELIGIBLE = 6


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def logged_in_headers(client, live_server, user, url):
    """Cookie and CSRF headers of `user`'s session, taken from a real GET of `url`."""
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    request = urllib.request.Request(live_server.url + url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        html = response.read().decode()
        csrf_cookie = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"])[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    return {"Cookie": f"{cookie}; csrftoken={csrf_cookie}", "X-CSRFToken": token}


def test_parallel_issue_all_clicks_issue_once_and_answer_without_error(
    client, live_server, program, admin_user
):
    sessions = make_sessions(program, 2)
    for _ in range(ELIGIBLE):
        enrol(program, sessions, "HH")
    close(program, admin_user)
    completion = reverse("certificates:completion", args=[program.pk])
    headers = logged_in_headers(client, live_server, admin_user, completion)
    body = urllib.parse.urlencode({"issue_all": "on", "confirmed": "on"}).encode()
    opener = urllib.request.build_opener(NoRedirect)
    barrier = threading.Barrier(CLICKS)
    statuses = []

    def click():
        request = urllib.request.Request(
            live_server.url + reverse("certificates:issue", args=[program.pk]),
            data=body,
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
        barrier.wait(timeout=10)
        try:
            with opener.open(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    # Every click is answered with the redirect back to the completion page, none with a 500.
    assert statuses == [302] * CLICKS
    certificates = Certificate.objects.filter(enrollment__program=program)
    assert certificates.count() == ELIGIBLE
    assert sorted(certificates.values_list("sequence", flat=True)) == list(range(1, ELIGIBLE + 1))
