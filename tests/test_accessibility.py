"""Every form control on the staff pages has a label a screen reader (and a tablet user) can use."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import EnrollmentFactory, TrainingSessionFactory


class ControlCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls, self.label_targets, self.label_depth = [], set(), 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.label_targets.add(attrs["for"])
        elif tag in {"input", "select", "textarea"}:
            if attrs.get("type") in {"hidden", "submit", "button"}:
                return
            self.controls.append((tag, attrs, self.label_depth > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1

    def unlabelled(self):
        return [
            (tag, attrs.get("name"))
            for tag, attrs, wrapped in self.controls
            if not wrapped
            and attrs.get("id") not in self.label_targets
            and not attrs.get("aria-label")
            and not attrs.get("aria-labelledby")
        ]


PAGES = [
    ("dashboard", lambda o: []),
    ("profile", lambda o: []),
    ("user_list", lambda o: []),
    ("user_create", lambda o: []),
    ("audit_list", lambda o: []),
    ("programs:program_list", lambda o: []),
    ("programs:program_create", lambda o: []),
    ("programs:program_detail", lambda o: [o["program"].pk]),
    ("programs:program_update", lambda o: [o["program"].pk]),
    ("programs:partner_list", lambda o: []),
    ("programs:partner_create", lambda o: []),
    ("programs:partner_detail", lambda o: [o["partner"].pk]),
    ("programs:agreement_create", lambda o: [o["partner"].pk]),
    ("programs:session_list", lambda o: []),
    ("programs:session_create", lambda o: [o["program"].pk]),
    ("programs:session_generate", lambda o: [o["program"].pk]),
    ("programs:session_detail", lambda o: [o["session"].pk]),
    ("programs:enroll", lambda o: [o["program"].pk]),
    ("programs:enrollment_withdraw", lambda o: [o["enrollment"].pk]),
    ("inmates:inmate_list", lambda o: []),
    ("inmates:inmate_create", lambda o: []),
    ("inmates:inmate_detail", lambda o: [o["inmate"].pk]),
    ("inmates:inmate_update", lambda o: [o["inmate"].pk]),
    ("reports:dashboard", lambda o: []),
]


@pytest.mark.parametrize(("url_name", "args"), PAGES, ids=[name for name, _ in PAGES])
def test_every_form_control_has_a_label(
    client_for, admin_user, program, partner, inmate, url_name, args
):
    session = TrainingSessionFactory(program=program)
    enrollment = EnrollmentFactory(program=program)
    objects = {
        "program": program,
        "partner": partner,
        "inmate": inmate,
        "session": session,
        "enrollment": enrollment,
    }
    response = client_for(admin_user).get(reverse(url_name, args=args(objects)))
    assert response.status_code == 200
    collector = ControlCollector()
    collector.feed(response.content.decode())
    assert collector.unlabelled() == []
