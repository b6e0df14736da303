"""Twenty admins issuing at the same moment, on PostgreSQL with real threads: numbers 1..20."""

import datetime
import threading

import pytest
from django.db import connection

from certificates.models import Certificate
from certificates.services import issue_certificates
from tests.certificates import close, enrol, make_sessions

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks (set DATABASE_URL=postgres://…)",
    ),
    pytest.mark.django_db(transaction=True),
]

ISSUERS = 20


def test_concurrent_issuing_takes_numbers_one_to_twenty(program, admin_user):
    sessions = make_sessions(program, 2)
    enrollments = [enrol(program, sessions, "HH") for _ in range(ISSUERS)]
    close(program, admin_user)
    barrier = threading.Barrier(ISSUERS)
    errors = []

    def issue_one(enrollment):
        try:
            barrier.wait(timeout=10)
            issue_certificates(
                program=program,
                enrollments=[enrollment],
                by=admin_user,
                issued_on=datetime.date(2025, 8, 8),
            )
        except Exception as error:  # reported to the main thread below
            errors.append(error)
        finally:
            # Each thread has its own connection; an open one would block the test database's
            # teardown.
            connection.close()

    threads = [threading.Thread(target=issue_one, args=(e,)) for e in enrollments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, ISSUERS + 1))
    numbers = set(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == ISSUERS
    assert "020/LPN.KSG/PK/VIII/2025" in numbers
    assert set(Certificate.objects.values_list("enrollment", flat=True)) == {
        e.pk for e in enrollments
    }
