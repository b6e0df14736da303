"""Every list page costs the same number of queries for a small facility and for a large one.

Each page is filled with SMALL or LARGE rows in the reader's facility while another facility
holds CROWD rows of its own: a query per row, or one whose count grows with the facility or
the country, changes the number. Every count starts with 1 the session and 2 the user; the
comment beside each page lists the rest.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from lapas_training.audit import Kind
from lapas_training.models import AuditEvent, Role
from programs.models import TrainingSession
from tests.certificates.rows import make_certificate
from tests.factories import (
    EnrollmentFactory,
    InmateFactory,
    PartnerAgreementFactory,
    PartnerFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    TrainingSessionFactory,
    UserFactory,
)

SMALL, LARGE, CROWD = 5, 60, 70


def add_inmates(facility, count):
    program = ProgramFactory(facility=facility)
    for inmate in InmateFactory.create_batch(count, facility=facility, block="Blok A"):
        EnrollmentFactory(program=program, inmate=inmate)


def add_programs(facility, count):
    for _ in range(count):
        program = ProgramFactory(facility=facility)
        ProgramPartnerFactory(program=program)
        EnrollmentFactory(program=program)
        TrainingSessionFactory(program=program)


def add_sessions(facility, count):
    # Upcoming: the session list opens on the sessions from today on.
    today = timezone.localdate()
    program = ProgramFactory(
        facility=facility, start_date=today, end_date=today + datetime.timedelta(days=90)
    )
    lead = ProgramPartnerFactory(program=program)
    trainer = UserFactory(facility=facility, role=Role.TRAINER, partner=lead.partner)
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            program=program,
            date=today + datetime.timedelta(days=day),
            start_time=datetime.time(8, 0),
            end_time=datetime.time(12, 0),
        )
        for day in range(count)
    )
    TrainingSession.trainers.through.objects.bulk_create(
        TrainingSession.trainers.through(trainingsession_id=session.pk, user_id=trainer.pk)
        for session in sessions
    )


def add_partners(facility, count):
    for _ in range(count):
        partner = PartnerFactory(facility=facility)
        PartnerAgreementFactory(partner=partner)
        ProgramPartnerFactory(program=ProgramFactory(facility=facility), partner=partner)


def add_certificates(facility, count):
    program = ProgramFactory(facility=facility)
    ProgramPartnerFactory(program=program)
    issuer = UserFactory(facility=facility, role=Role.ADMIN)
    for sequence in range(1, count + 1):
        make_certificate(program, issuer, sequence=sequence)


def add_users(facility, count):
    partner = PartnerFactory(facility=facility)
    UserFactory.create_batch(count, facility=facility, role=Role.TRAINER, partner=partner)


def add_events(facility, count):
    user = UserFactory(facility=facility, role=Role.STAFF)
    AuditEvent.objects.bulk_create(
        AuditEvent(facility=facility, user=user, kind=Kind.EXPORT, username=user.username)
        for _ in range(count)
    )


@dataclass
class ListPage:
    url: str
    fill: Any
    queries: int
    reader: str = "admin_user"
    params: dict = field(default_factory=dict)
    # How many rows the paginator counts for `size` rows added to the reader's facility.
    listed: Any = None

    def rows(self, size):
        return size if self.listed is None else self.listed(size)


PAGES = {
    # 3 the facility (scope), 4 the facility's blocks (filter), 5 the paginator's count,
    # 6 the page of inmates, 7 the program counts of the page's inmates.
    "inmates": ListPage("inmates:inmate_list", add_inmates, 7),
    # The same with a search and a filter.
    "inmates searched": ListPage(
        "inmates:inmate_list", add_inmates, 7, params={"q": "B.I-", "block": "Blok A"}
    ),
    # 3 the facility, 4 count, 5 the page of programs with participant and session counts
    # and lead partner, 6 the partner filter's choices.
    "programs": ListPage("programs:program_list", add_programs, 6),
    # 3 the facility, 4 count, 5 the programs of the filter, 6 the page of sessions with
    # program and topic, 7 their trainers.
    "sessions": ListPage("programs:session_list", add_sessions, 7),
    # 3 the facility, 4 count, 5 the page of partners with program counts, 6 their agreements.
    "partners": ListPage("programs:partner_list", add_partners, 6),
    # 3 the facility, 4 the years of the filter, 5 count, 6 the page of certificates with
    # enrolment and program, 7 the programs of the filter.
    "certificates": ListPage("certificates:certificate_list", add_certificates, 7),
    # 3 the facility, 4 count, 5 the page of users with their partners.
    # The reader is listed too.
    "users": ListPage("user_list", add_users, 5, listed=lambda size: size + 1),
    # 3 the facility, 4 the facility's users (filter), 5 count, 6 the page of events.
    # The reader's own login is an event too.
    "audit": ListPage("audit_list", add_events, 6, listed=lambda size: size + 1),
    # The regional reader's lists, with the reader's region holding the filled facility and
    # the crowd outside it. 3 the facility choices, 4 count, 5 programs, 6 their partners,
    # 7-10 rollup.program_figures' four.
    "rollup programs": ListPage("reports:rollup_programs", add_programs, 10, "regional_user"),
    # 3 count, 4 partners with their program counts, 5 agreements, 6 participant counts.
    "rollup partners": ListPage("reports:rollup_partners", add_partners, 6, "regional_user"),
    # 3 count, 4 the page of facilities, 5-10 figures.by_facility's six.
    "rollup facilities": ListPage(
        "reports:rollup_comparison",
        add_programs,
        10,
        "regional_user",
        {"period": "month", "month": timezone.localdate().strftime("%Y-%m")},
        # One row: the region's one facility, whatever its size; the crowd's is elsewhere.
        listed=lambda size: 1,
    ),
}


@pytest.mark.parametrize("size", [SMALL, LARGE])
@pytest.mark.parametrize("name", PAGES)
def test_list_page_query_count_is_the_same_for_a_small_and_a_large_facility(
    request, client_for, facility, other_facility, django_assert_num_queries, name, size
):
    page = PAGES[name]
    reader = request.getfixturevalue(page.reader)
    page.fill(other_facility, CROWD)
    page.fill(facility, size)
    client = client_for(reader)
    with django_assert_num_queries(page.queries):
        response = client.get(reverse(page.url), page.params)
    assert response.status_code == 200
    # The rows are the facility's own, never the crowd's.
    assert response.context["page_obj"].paginator.count == page.rows(size)
