"""Issuing certificates and statements, numbering, the snapshot, revoking and reissuing, views."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from certificates import services
from certificates.models import Certificate, CertificateCounter
from programs.models import Enrollment, ProgramPartner
from tests.certificates import close, enrol, make_sessions
from tests.factories import (
    EnrollmentFactory,
    InmateFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    ProgramTopicFactory,
)

ISSUED_ON = datetime.date(2025, 8, 8)
LEFT = {"ended_on": datetime.date(2025, 8, 6), "end_reason": "Bebas murni"}


@pytest.fixture
def sessions(program, facility, partner):
    facility.city = "Kasongan"
    facility.head_name = "Yurdani"
    facility.head_nip = "197401011998031001"
    facility.save()
    partner.head_name = "M. Noor Ikhsan"
    partner.head_title = "Kepala BLK Kota Palangka Raya"
    partner.save()
    for order, (title, jp) in enumerate([("Desain", 5), ("Merangkai", 10), ("Pemasaran", 5)]):
        ProgramTopicFactory(program=program, order=order, title=title, jp=jp)
    return make_sessions(program, 5)


@pytest.fixture
def eligible(program, sessions):
    """Three participants who completed the program."""
    return [
        enrol(
            program,
            sessions,
            "HHHHH",
            inmate=InmateFactory(facility=program.facility, full_name=name),
        )
        for name in ("Ahmad Fauzi", "Budi Santoso", "Citra Lestari")
    ]


@pytest.fixture
def not_eligible(program, sessions):
    return enrol(
        program,
        sessions,
        "HHAAA",
        inmate=InmateFactory(facility=program.facility, full_name="Dedi Kurniawan"),
    )


def issue(program, enrollments, by, issued_on=ISSUED_ON):
    """Issue as `by`, closing the program first: completion certificates come after closing."""
    if not program.is_closed:
        close(program, by)
    return services.issue_certificates(
        program=program, enrollments=enrollments, by=by, issued_on=issued_on
    )


# Numbering


@pytest.mark.parametrize(
    ("pattern", "sequence", "issued_on", "expected"),
    [
        ("{seq:03d}/{unit_code}/PK/{month_roman}/{year}", 1, ISSUED_ON, "001/LPN.KSG/PK/VIII/2025"),
        (
            "{seq:03d}/{unit_code}/PK/{month_roman}/{year}",
            1234,
            ISSUED_ON,
            "1234/LPN.KSG/PK/VIII/2025",
        ),
        (
            "{seq:03d}/{unit_code}/PK/{month_roman}/{year}",
            7,
            datetime.date(2025, 12, 1),
            "007/LPN.KSG/PK/XII/2025",
        ),
        (
            "{seq:03d}/{unit_code}/PK/{month_roman}/{year}",
            7,
            datetime.date(2026, 1, 2),
            "007/LPN.KSG/PK/I/2026",
        ),
        ("SERT-{year}{month:02d}-{seq:05d}", 42, ISSUED_ON, "SERT-202508-00042"),
    ],
)
def test_format_number_renders_the_pattern(pattern, sequence, issued_on, expected):
    assert (
        services.format_number(pattern, sequence=sequence, unit_code="LPN.KSG", issued_on=issued_on)
        == expected
    )


@pytest.mark.parametrize("pattern", ["{seq}/{unknown}", "{seq:03d", "{seq:xyz}"])
def test_format_number_refuses_a_broken_pattern(pattern):
    with pytest.raises(ValidationError, match="pattern is invalid"):
        services.format_number(pattern, sequence=1, unit_code="X", issued_on=ISSUED_ON)


def test_numbers_are_gap_free_per_facility_and_restart_each_year(
    program, eligible, admin_user, outside_program, outside_admin
):
    first, second = issue(program, eligible[:2], admin_user, datetime.date(2025, 12, 31))
    [third] = issue(program, eligible[2:], admin_user, datetime.date(2026, 1, 2))
    outside_sessions = make_sessions(outside_program, 1)
    outsider = enrol(outside_program, outside_sessions, "H")
    [other] = issue(outside_program, [outsider], outside_admin, datetime.date(2025, 12, 31))

    assert [first.number, second.number] == ["001/LPN.KSG/PK/XII/2025", "002/LPN.KSG/PK/XII/2025"]
    assert (third.year, third.sequence, third.number) == (2026, 1, "001/LPN.KSG/PK/I/2026")
    assert other.sequence == 1
    assert dict(
        CertificateCounter.objects.filter(facility=program.facility).values_list("year", "last")
    ) == {2025: 2, 2026: 1}


def test_a_failure_inside_issuing_leaves_no_gap_and_no_rows(
    program, eligible, admin_user, monkeypatch
):
    real = services.build_snapshot
    calls = []

    def failing_on_the_second(**kwargs):
        calls.append(kwargs["enrollment"].pk)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "build_snapshot", failing_on_the_second)
    with pytest.raises(RuntimeError):
        issue(program, eligible, admin_user)
    assert Certificate.objects.count() == 0
    assert not CertificateCounter.objects.filter(last__gt=0).exists()

    monkeypatch.setattr(services, "build_snapshot", real)
    certificates = issue(program, eligible, admin_user)
    assert [c.sequence for c in certificates] == [1, 2, 3]


# Issuing


def test_issue_certificates_to_chosen_participants(program, eligible, admin_user):
    [certificate] = issue(program, [eligible[1]], admin_user)

    assert certificate.enrollment == eligible[1]
    assert certificate.kind == Certificate.Kind.COMPLETION
    assert certificate.number == "001/LPN.KSG/PK/VIII/2025"
    assert certificate.snapshot["number"] == certificate.number
    assert certificate.issued_by == admin_user
    # token_urlsafe(24): 24 random bytes, 32 URL-safe characters.
    assert len(certificate.verification_code) == 32
    assert Certificate.objects.count() == 1


def test_issue_certificates_refuses_the_not_eligible_and_saves_nothing(
    program, eligible, not_eligible, admin_user
):
    with pytest.raises(ValidationError) as raised:
        issue(program, [eligible[0], not_eligible], admin_user)

    assert "Dedi Kurniawan is not eligible: Attendance 40.0% is below" in raised.value.messages[0]
    assert Certificate.objects.count() == 0
    assert not CertificateCounter.objects.filter(last__gt=0).exists()


def test_issue_certificates_refuses_an_enrolment_already_holding_one(program, eligible, admin_user):
    [first] = issue(program, [eligible[0]], admin_user)

    with pytest.raises(ValidationError, match=f"already holds certificate {first.number}"):
        issue(program, eligible, admin_user)
    assert Certificate.objects.count() == 1


def test_issue_certificates_refuses_an_enrolment_of_another_program(
    program, other_program, eligible, admin_user
):
    stranger = EnrollmentFactory(program=other_program)

    with pytest.raises(ValidationError, match="not enrolled in this program"):
        issue(program, [eligible[0], stranger], admin_user)
    assert Certificate.objects.count() == 0


def test_snapshot_holds_what_is_printed(
    program, eligible, admin_user, partner, trainer_user, sessions
):
    sessions[0].trainers.add(trainer_user)
    ProgramPartnerFactory(program=program, role=ProgramPartner.Role.CO_TRAINER)
    [certificate] = issue(program, [eligible[0]], admin_user)
    snapshot = certificate.snapshot

    assert snapshot["kind"] == "completion"
    assert snapshot["holder_name"] == "Ahmad Fauzi"
    assert snapshot["program_title"] == "Aksesoris Gelang dan Kalung Batu"
    assert (snapshot["start_date"], snapshot["end_date"]) == ("2025-08-04", "2025-08-08")
    assert snapshot["place"] == "Aula Utama"
    assert snapshot["total_jp"] == 20
    assert snapshot["topics"][0] == {"title": "Desain", "jp": 5}
    assert snapshot["partners"][0] == {"name": "BLK Kota Palangka Raya", "role": "lead"}
    assert snapshot["partners"][1]["role"] == "co_trainer"
    assert snapshot["discreet"] is False
    assert snapshot["issuer"] == {"name": "Lapas Narkotika Kelas IIA Kasongan", "city": "Kasongan"}
    assert snapshot["facility"] == {
        "name": "Lapas Narkotika Kelas IIA Kasongan",
        "unit_code": "LPN.KSG",
        "city": "Kasongan",
    }
    assert snapshot["signatories"] == [
        {
            "office": "Kepala Lapas Narkotika Kelas IIA Kasongan",
            "name": "Yurdani",
            "nip": "197401011998031001",
        },
        {"office": "Kepala BLK Kota Palangka Raya", "name": "M. Noor Ikhsan", "nip": ""},
    ]
    assert (snapshot["issued_on"], snapshot["place_of_issue"]) == ("2025-08-08", "Kasongan")
    assert snapshot["assessment_result"] == "Kompeten"
    assert snapshot["instructors"] == [trainer_user.get_full_name()]
    assert snapshot["attendance"] == {"attended": 5, "counted": 5, "percent": 100.0}
    assert snapshot["participation"] is None
    assert eligible[0].inmate.registration_number not in json.dumps(snapshot)


def test_snapshot_is_frozen_when_the_program_is_edited(program, eligible, admin_user, facility):
    [certificate] = issue(program, [eligible[0]], admin_user)
    before = json.dumps(certificate.snapshot, sort_keys=True)

    program.title = "Judul Baru"
    program.end_date = datetime.date(2025, 9, 30)
    program.save()
    program.topics.update(jp=99)
    facility.name = "Lapas Baru"
    facility.save()
    eligible[0].inmate.full_name = "Nama Lain"
    eligible[0].inmate.save()

    certificate.refresh_from_db()
    assert json.dumps(certificate.snapshot, sort_keys=True) == before
    assert certificate.snapshot["program_title"] == "Aksesoris Gelang dan Kalung Batu"


def test_discreet_snapshot_never_names_the_facility(program, eligible, admin_user, partner):
    program.discreet_issuing = True
    program.save()
    partner.certificate_code = "BLK-PKY"
    partner.save()
    [certificate] = issue(program, [eligible[0]], admin_user)
    snapshot = certificate.snapshot
    text = json.dumps(snapshot)

    assert "facility" not in snapshot
    assert snapshot["issuer"] == {"name": "BLK Kota Palangka Raya", "city": ""}
    assert snapshot["signatories"] == [
        {"office": "Kepala BLK Kota Palangka Raya", "name": "M. Noor Ikhsan", "nip": ""}
    ]
    assert snapshot["place_of_issue"] == ""
    # The partner's own series: the number names no facility either.
    assert certificate.number == snapshot["number"] == "001/BLK-PKY/VIII/2025"
    assert certificate.series_partner == partner
    for revealing in ("Lapas", "Kasongan", "LPN.KSG", "Yurdani", "Narkotika"):
        assert revealing not in text
    assert eligible[0].inmate.registration_number not in text


def test_discreet_issuing_without_a_lead_partner_is_refused(program, eligible, admin_user):
    program.discreet_issuing = True
    program.save()
    ProgramPartner.objects.filter(program=program).delete()

    with pytest.raises(ValidationError, match="no lead partner"):
        issue(program, [eligible[0]], admin_user)
    assert Certificate.objects.count() == 0
    assert not CertificateCounter.objects.filter(last__gt=0).exists()


# Statements of participation


def test_issue_statement_counts_sessions_and_jp_attended(program, sessions, admin_user):
    topics = list(program.topics.all())
    # One topic per session except the last two, which share "Pemasaran" (5 JP, 2.5 each).
    for session, topic in zip(
        sessions, [topics[0], topics[1], topics[1], topics[2], topics[2]], strict=True
    ):
        session.topic = topic
        session.save()
    released = enrol(
        program,
        sessions,
        ["H", "T", "A", "H", "bebas"],
        status=Enrollment.Status.RELEASED,
        ended_on=datetime.date(2025, 8, 5),
        end_reason="Bebas bersyarat",
    )

    statement = services.issue_statement(enrollment=released, by=admin_user, issued_on=ISSUED_ON)

    assert statement.kind == Certificate.Kind.PARTICIPATION
    assert statement.number == "001/LPN.KSG/PK/VIII/2025"
    # H Desain 5 + T half of Merangkai 5 + H half of Pemasaran 2.5 = 12.5, rounded down.
    assert statement.snapshot["participation"] == {
        "sessions_attended": 3,
        "sessions_total": 5,
        "jp_attended": 12,
        "reason": "Bebas",
    }


def test_issue_statement_shares_jp_evenly_over_sessions_without_a_topic(
    program, sessions, admin_user
):
    transferred = enrol(
        program,
        sessions,
        ["H", "H", "", "", ""],
        status=Enrollment.Status.TRANSFERRED,
        ended_on=datetime.date(2025, 8, 5),
        end_reason="Mutasi",
        inmate=InmateFactory(facility=program.facility, status="transferred"),
    )

    statement = services.issue_statement(enrollment=transferred, by=admin_user)

    # 20 JP over 5 sessions without a topic: 4 JP each, 2 attended.
    participation = statement.snapshot["participation"]
    assert (participation["sessions_attended"], participation["jp_attended"]) == (2, 8)
    assert participation["reason"] == "Mutasi ke Lapas Kelas IIA Palangka Raya"


def test_issue_statement_refuses_a_participant_still_in_the_program(program, eligible, admin_user):
    with pytest.raises(ValidationError, match="only for participants released or transferred"):
        services.issue_statement(enrollment=eligible[0], by=admin_user)
    assert Certificate.objects.count() == 0


def test_issue_statement_refuses_a_second_one(program, sessions, admin_user):
    released = enrol(
        program, sessions, ["H", "H", "", "", ""], status=Enrollment.Status.RELEASED, **LEFT
    )
    services.issue_statement(enrollment=released, by=admin_user)

    with pytest.raises(ValidationError, match="already holds a valid certificate"):
        services.issue_statement(enrollment=released, by=admin_user)
    assert Certificate.objects.count() == 1


# Revoking and reissuing


def test_revoke_certificate_keeps_it_marked_revoked_with_history(program, eligible, admin_user):
    [certificate] = issue(program, [eligible[0]], admin_user)

    services.revoke_certificate(certificate=certificate, by=admin_user, reason="Salah program")

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert (certificate.revoked_by, certificate.revocation_reason) == (admin_user, "Salah program")
    history = list(certificate.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].history_change_reason == "Salah program"


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoke_certificate_needs_a_reason(program, eligible, admin_user, reason):
    [certificate] = issue(program, [eligible[0]], admin_user)

    with pytest.raises(ValidationError, match="Give a reason"):
        services.revoke_certificate(certificate=certificate, by=admin_user, reason=reason)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_revoke_certificate_twice_is_refused(program, eligible, admin_user):
    [certificate] = issue(program, [eligible[0]], admin_user)
    services.revoke_certificate(certificate=certificate, by=admin_user, reason="Salah")

    with pytest.raises(ValidationError, match="already revoked"):
        services.revoke_certificate(certificate=certificate, by=admin_user, reason="Lagi")


def test_reissue_certificate_links_a_new_number_with_the_corrected_name(
    program, eligible, admin_user
):
    [old] = issue(program, [eligible[0]], admin_user)
    program.title = "Judul Baru"
    program.save()

    new = services.reissue_certificate(
        certificate=old,
        by=admin_user,
        reason="Nama salah eja",
        holder_name="Achmad Fauzi",
        issued_on=ISSUED_ON,
    )

    old.refresh_from_db()
    assert old.revoked_at is not None and old.revocation_reason == "Nama salah eja"
    assert new.replaces == old
    assert new.revoked_at is None
    assert new.sequence == old.sequence + 1
    assert new.verification_code != old.verification_code
    assert new.snapshot["holder_name"] == "Achmad Fauzi"
    assert new.snapshot["number"] == new.number
    # A correction keeps what was printed; later program edits do not leak in.
    assert new.snapshot["program_title"] == "Aksesoris Gelang dan Kalung Batu"
    assert Certificate.objects.count() == 2
    assert Certificate.history.count() == 3


def test_reissue_certificate_without_a_reason_changes_nothing(program, eligible, admin_user):
    [old] = issue(program, [eligible[0]], admin_user)

    with pytest.raises(ValidationError):
        services.reissue_certificate(certificate=old, by=admin_user, reason="")
    assert Certificate.objects.count() == 1
    old.refresh_from_db()
    assert old.revoked_at is None


# Views


def test_completion_page_shows_verdicts_and_issue_buttons_to_an_admin(
    client_for, admin_user, program, eligible, not_eligible
):
    close(program, admin_user)
    response = client_for(admin_user).get(reverse("certificates:completion", args=[program.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ahmad Fauzi" in html and "Dedi Kurniawan" in html
    assert "Attendance 40.0% is below the threshold of 80%." in html
    assert html.count('name="enrollments"') == 3
    assert "Issue to all eligible (3)" in html
    assert "Issue to chosen" in html
    assert "Closed on" in html and "Reopen program" in html


def test_completion_page_before_closing_is_provisional_and_offers_no_issuing(
    client_for, admin_user, program, eligible, not_eligible
):
    response = client_for(admin_user).get(reverse("certificates:completion", args=[program.pk]))

    html = response.content.decode()
    assert "Provisional: the verdicts count the sessions held so far." in html
    assert html.count("Eligible so far") == 3 and "Not eligible so far" in html
    assert 'name="enrollments"' not in html and "Issue to chosen" not in html
    assert reverse("certificates:program_close", args=[program.pk]) in html


def test_completion_page_is_read_only_for_staff(client_for, staff_user, program, eligible):
    close(program, staff_user)
    response = client_for(staff_user).get(reverse("certificates:completion", args=[program.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Completed" in html
    assert 'name="enrollments"' not in html
    assert "Issue to chosen" not in html


def test_completion_page_offers_a_statement_to_the_released(
    client_for, admin_user, program, sessions
):
    released = enrol(
        program, sessions, ["H", "", "", "", ""], status=Enrollment.Status.RELEASED, **LEFT
    )

    response = client_for(admin_user).get(reverse("certificates:completion", args=[program.pk]))

    assert "Issue statement of participation" in response.content.decode()
    assert reverse("certificates:statement_issue", args=[released.pk]) in response.content.decode()


def test_program_detail_links_to_completion_for_readers_only(
    client_for, staff_user, viewer_user, trainer_user, program
):
    link = reverse("certificates:completion", args=[program.pk])
    detail = reverse("programs:program_detail", args=[program.pk])

    assert link in client_for(staff_user).get(detail).content.decode()
    assert link in client_for(viewer_user).get(detail).content.decode()
    assert link not in client_for(trainer_user).get(detail).content.decode()


def test_issue_view_asks_for_confirmation_first(
    client_for, admin_user, program, eligible, not_eligible
):
    close(program, admin_user)
    response = client_for(admin_user).post(
        reverse("certificates:issue", args=[program.pk]), {"issue_all": "on"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 participants will receive a certificate of completion" in html
    for name in ("Ahmad Fauzi", "Budi Santoso", "Citra Lestari"):
        assert name in html
    assert "Dedi Kurniawan" not in html
    # Dated at the program's end by default, as the paper certificates were.
    assert 'value="2025-08-08"' in html
    assert Certificate.objects.count() == 0


def test_issue_view_confirmation_refuses_a_date_before_the_end(
    client_for, admin_user, program, eligible
):
    close(program, admin_user)
    response = client_for(admin_user).post(
        reverse("certificates:issue", args=[program.pk]),
        {"issue_all": "on", "confirmed": "on", "issued_on": "2025-08-01"},
    )

    assert "The date of issue cannot be before the program ends" in response.content.decode()
    assert Certificate.objects.count() == 0


def test_issue_view_refuses_an_open_program(client_for, admin_user, program, eligible):
    response = client_for(admin_user).post(
        reverse("certificates:issue", args=[program.pk]),
        {"issue_all": "on", "confirmed": "on"},
        follow=True,
    )

    assert "issued once the program is closed" in response.content.decode()
    assert Certificate.objects.count() == 0


def test_issue_view_to_all_eligible(client_for, admin_user, program, eligible, not_eligible):
    close(program, admin_user)
    response = client_for(admin_user).post(
        reverse("certificates:issue", args=[program.pk]),
        {"issue_all": "on", "confirmed": "on"},
        follow=True,
    )

    assert "3 certificates issued." in response.content.decode()
    assert set(Certificate.objects.values_list("enrollment", flat=True)) == {e.pk for e in eligible}


def test_issue_view_to_chosen(client_for, admin_user, program, eligible):
    close(program, admin_user)
    response = client_for(admin_user).post(
        reverse("certificates:issue", args=[program.pk]),
        {"enrollments": [eligible[0].pk, eligible[2].pk], "confirmed": "on"},
        follow=True,
    )

    assert "2 certificates issued." in response.content.decode()
    assert Certificate.objects.count() == 2
    assert {c.snapshot["issued_on"] for c in Certificate.objects.all()} == {"2025-08-08"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose at least one eligible participant."),
        ({"enrollments": ["abc"]}, "Select a valid choice."),
        ({"enrollments": ["999999"]}, "Select a valid choice."),
        ({"not_eligible": True}, "Dedi Kurniawan is not eligible"),
    ],
)
def test_issue_view_refuses_bad_input_and_saves_nothing(
    client_for, admin_user, program, eligible, not_eligible, data, message
):
    close(program, admin_user)
    if data.get("not_eligible"):
        data = {"enrollments": [eligible[0].pk, not_eligible.pk]}
    data["confirmed"] = "on"
    response = client_for(admin_user).post(
        reverse("certificates:issue", args=[program.pk]), data, follow=True
    )

    assert message in response.content.decode()
    assert Certificate.objects.count() == 0


def test_issue_view_twice_refuses_the_second_time(client_for, admin_user, program, eligible):
    close(program, admin_user)
    client = client_for(admin_user)
    url = reverse("certificates:issue", args=[program.pk])
    client.post(url, {"enrollments": [eligible[0].pk], "confirmed": "on"})

    response = client.post(url, {"enrollments": [eligible[0].pk], "confirmed": "on"}, follow=True)

    assert "already holds certificate 001/LPN.KSG/PK/" in response.content.decode()
    assert Certificate.objects.count() == 1


def test_issue_view_to_all_twice_tells_everyone_holds_one(
    client_for, admin_user, program, eligible
):
    close(program, admin_user)
    client = client_for(admin_user)
    url = reverse("certificates:issue", args=[program.pk])
    client.post(url, {"issue_all": "on", "confirmed": "on"})

    response = client.post(url, {"issue_all": "on", "confirmed": "on"}, follow=True)

    assert "Everyone who completed the program already holds a certificate." in (
        response.content.decode()
    )
    assert Certificate.objects.count() == 3


def test_statement_view_issues_one(client_for, admin_user, program, sessions):
    released = enrol(
        program,
        sessions,
        ["H", "", "", "", ""],
        status=Enrollment.Status.RELEASED,
        inmate=InmateFactory(facility=program.facility, full_name="Eko Prasetyo"),
        **LEFT,
    )

    response = client_for(admin_user).post(
        reverse("certificates:statement_issue", args=[released.pk]), follow=True
    )

    assert "Statement of participation 001/LPN.KSG/PK/" in response.content.decode()
    assert "issued to Eko Prasetyo." in response.content.decode()
    assert Certificate.objects.get().kind == Certificate.Kind.PARTICIPATION


def test_statement_view_refuses_an_active_participant(client_for, admin_user, program, eligible):
    response = client_for(admin_user).post(
        reverse("certificates:statement_issue", args=[eligible[0].pk]), follow=True
    )

    assert "only for participants released or transferred" in response.content.decode()
    assert Certificate.objects.count() == 0


def test_revoke_view_revokes_with_a_reason(client_for, admin_user, program, eligible):
    [certificate] = issue(program, [eligible[0]], admin_user)

    response = client_for(admin_user).post(
        reverse("certificates:certificate_revoke", args=[certificate.pk]),
        {"reason": "Salah program"},
        follow=True,
    )

    html = response.content.decode()
    assert "Certificate 001/LPN.KSG/PK/VIII/2025 revoked." in html
    assert "Revoked" in html and "Salah program" in html
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Reason for revoking: This field is required."),
        ({"reason": "x" * 501}, "Ensure this value has at most 500 characters"),
        ({"reason": "   "}, "Reason for revoking: This field is required."),
    ],
)
def test_revoke_view_refuses_bad_input(client_for, admin_user, program, eligible, data, message):
    [certificate] = issue(program, [eligible[0]], admin_user)

    response = client_for(admin_user).post(
        reverse("certificates:certificate_revoke", args=[certificate.pk]), data, follow=True
    )

    assert message in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_reissue_view_issues_a_linked_number(client_for, admin_user, program, eligible):
    [old] = issue(program, [eligible[0]], admin_user)

    response = client_for(admin_user).post(
        reverse("certificates:certificate_reissue", args=[old.pk]),
        {"reason": "Nama salah eja", "holder_name": "Achmad Fauzi"},
        follow=True,
    )

    new = Certificate.objects.get(replaces=old)
    assert f"Certificate {old.number} revoked and reissued as {new.number}." in (
        response.content.decode()
    )
    assert new.snapshot["holder_name"] == "Achmad Fauzi"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"holder_name": "Achmad"}, "Reason for reissuing: This field is required."),
        ({"reason": "Eja", "holder_name": "x" * 201}, "at most 200 characters"),
    ],
)
def test_reissue_view_refuses_bad_input(client_for, admin_user, program, eligible, data, message):
    [old] = issue(program, [eligible[0]], admin_user)

    response = client_for(admin_user).post(
        reverse("certificates:certificate_reissue", args=[old.pk]), data, follow=True
    )

    assert message in response.content.decode()
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_certificate_list_query_count_is_fixed(
    client_for, admin_user, facility, django_assert_num_queries, rows
):
    program = ProgramFactory(facility=facility)
    ProgramPartnerFactory(program=program)
    sessions = make_sessions(program, 1)
    issue(program, [enrol(program, sessions, "H") for _ in range(rows)], admin_user)
    client = client_for(admin_user)
    url = reverse("certificates:certificate_list")

    # session, user, facility (scope), the years for the filter, count, certificates with their
    # enrolment and program, the programs for the filter
    with django_assert_num_queries(7):
        response = client.get(url)
    # One page of 25, newest first.
    assert response.content.decode().count("/LPN.KSG/PK/") == min(rows, 25)
    assert f"{rows:03d}/LPN.KSG/PK/" in response.content.decode()


@pytest.mark.parametrize("rows", [5, 50])
def test_completion_page_query_count_is_fixed(
    client_for, admin_user, program, sessions, django_assert_num_queries, rows
):
    enrollments = [enrol(program, sessions, "HHHHH") for _ in range(rows)]
    issue(program, enrollments[:2], admin_user)
    client = client_for(admin_user)
    url = reverse("certificates:completion", args=[program.pk])

    # session, user, facility (scope), program, then completion_verdicts: sessions,
    # enrolments with inmates, attendance records, valid certificates; the recent bulk prints
    # (a closed program's banner does not tell its last closing)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count('name="enrollments"') == rows - 2


def test_certificate_list_shows_only_the_facility_and_read_only_to_staff(
    client_for, staff_user, program, eligible, admin_user, outside_program, outside_admin
):
    issue(program, [eligible[0]], admin_user)
    outsider = enrol(outside_program, make_sessions(outside_program, 1), "H")
    issue(outside_program, [outsider], outside_admin)

    html = client_for(staff_user).get(reverse("certificates:certificate_list")).content.decode()

    assert "001/LPN.KSG/PK/VIII/2025" in html
    assert "RTN.PBN" not in html
    assert "Ahmad Fauzi" in html
    assert 'name="reason"' not in html


# The permission matrix: (view, method) by role → status.
ANON = None
MATRIX = {
    "completion": (
        "get",
        {"admin": 200, "staff": 200, "viewer": 200, "trainer": 403, "outsider": 404},
    ),
    # The admin's first POST shows the confirmation page.
    "issue": ("post", {"admin": 200, "staff": 403, "viewer": 403, "trainer": 403, "outsider": 404}),
    "statement_issue": (
        "post",
        {"admin": 302, "staff": 403, "viewer": 403, "trainer": 403, "outsider": 404},
    ),
    "certificate_list": (
        "get",
        {"admin": 200, "staff": 200, "viewer": 200, "trainer": 403, "outsider": 200},
    ),
    "certificate_revoke": (
        "post",
        {"admin": 302, "staff": 403, "viewer": 403, "trainer": 403, "outsider": 404},
    ),
    "certificate_reissue": (
        "post",
        {"admin": 302, "staff": 403, "viewer": 403, "trainer": 403, "outsider": 404},
    ),
}
DATA = {
    "issue": {"issue_all": "on"},
    "certificate_revoke": {"reason": "Salah"},
    "certificate_reissue": {"reason": "Salah"},
}


def _url(name, program, enrollment, certificate):
    if name in {"completion", "issue"}:
        return reverse(f"certificates:{name}", args=[program.pk])
    if name == "statement_issue":
        return reverse(f"certificates:{name}", args=[enrollment.pk])
    if name == "certificate_list":
        return reverse(f"certificates:{name}")
    return reverse(f"certificates:{name}", args=[certificate.pk])


@pytest.fixture
def targets(program, sessions, eligible, admin_user):
    released = enrol(
        program, sessions, ["H", "", "", "", ""], status=Enrollment.Status.RELEASED, **LEFT
    )
    [certificate] = issue(program, [eligible[0]], admin_user)
    return program, released, certificate


@pytest.mark.parametrize("role", ["admin", "staff", "viewer", "trainer", "outsider"])
@pytest.mark.parametrize("name", MATRIX.keys())
def test_certificate_views_permission_matrix(client_for, users, targets, name, role):
    method, expected = MATRIX[name]
    url = _url(name, *targets)
    count = Certificate.objects.count()

    response = getattr(client_for(users[role]), method)(url, DATA.get(name, {}))

    assert response.status_code == expected[role]
    if method == "post" and expected[role] != 302:
        assert Certificate.objects.count() == count
        assert not Certificate.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.parametrize("name", MATRIX.keys())
def test_certificate_views_send_anonymous_users_to_login(client_for, targets, name):
    method, _expected = MATRIX[name]

    response = getattr(client_for(ANON), method)(_url(name, *targets))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 200), ("staff", 403), ("viewer", 403), ("trainer", 403), ("outsider", 404)],
)
def test_statement_confirmation_page_issues_nothing(client_for, users, targets, role, expected):
    _program, released, _certificate = targets
    count = Certificate.objects.count()

    response = client_for(users[role]).get(
        reverse("certificates:statement_issue", args=[released.pk])
    )

    assert response.status_code == expected
    if expected == 200:
        assert "Yes, issue the statement" in response.content.decode()
    assert Certificate.objects.count() == count


@pytest.mark.parametrize(
    "name",
    [n for n, (method, _e) in MATRIX.items() if method == "post" and n != "statement_issue"],
)
def test_certificate_action_views_refuse_get(client_for, admin_user, targets, name):
    response = client_for(admin_user).get(_url(name, *targets))

    assert response.status_code == 405


def test_certificate_views_let_a_superuser_act_as_admin(client_for, superuser, targets, facility):
    client = client_for(superuser)
    client.post(reverse("switch_facility"), {"facility": facility.pk})
    _program, _released, certificate = targets

    response = client.post(
        reverse("certificates:certificate_revoke", args=[certificate.pk]), {"reason": "Salah"}
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_by == superuser


def test_discreet_statement_gives_a_neutral_reason(program, sessions, admin_user, partner):
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])
    partner.certificate_code = "BLK-PKY"
    partner.save()
    released = enrol(
        program, sessions, ["H", "", "", "", ""], status=Enrollment.Status.RELEASED, **LEFT
    )

    statement = services.issue_statement(enrollment=released, by=admin_user, issued_on=ISSUED_ON)

    assert statement.snapshot["participation"]["reason"] == "hal di luar pelatihan"
    assert "Bebas" not in json.dumps(statement.snapshot)
    # At any time, before the program is closed, in the partner's own series.
    assert statement.number == "001/BLK-PKY/VIII/2025"
