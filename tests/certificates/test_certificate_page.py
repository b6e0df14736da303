"""One certificate's page, the searchable list, revoking and reissuing from the page, the PDF."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.services import revoke_certificate
from tests.certificates.rows import make_certificate
from tests.factories import InmateFactory, ProgramFactory, ProgramPartnerFactory
from tests.helpers import assert_answer, page, shown_messages

NUMBER = "001/LPN.KSG/PK/VIII/2025"


@pytest.fixture
def certificate(program, admin_user):
    inmate = InmateFactory(facility=program.facility, full_name="Ahmad Fauzi")
    return make_certificate(program, admin_user, inmate=inmate)


def detail_url(certificate):
    return reverse("certificates:certificate_detail", args=[certificate.pk])


def list_url(**params):
    return reverse("certificates:certificate_list") + (
        "?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else ""
    )


# Who may do what


READ = {"admin": 200, "staff": 200, "viewer": 200, "trainer": 403, "outsider": 404}
ACT = {"admin": 302, "staff": 403, "viewer": 403, "trainer": 403, "outsider": 404}
VIEWS = {
    # name: (method, url of the certificate, data, expected by role)
    "detail": ("get", detail_url, {}, READ),
    "pdf": ("get", lambda c: reverse("certificate_documents:pdf", args=[c.pk]), {}, READ),
    "list": ("get", lambda c: list_url(), {}, {**READ, "outsider": 200}),
    "revoke": (
        "post",
        lambda c: reverse("certificates:certificate_revoke", args=[c.pk]),
        {"reason": "Salah program"},
        ACT,
    ),
    "reissue": (
        "post",
        lambda c: reverse("certificates:certificate_reissue", args=[c.pk]),
        {"reason": "Nama salah eja"},
        ACT,
    ),
}


@pytest.mark.parametrize("role", ["admin", "staff", "viewer", "trainer", "outsider"])
@pytest.mark.parametrize("name", VIEWS.keys())
def test_certificate_views_permission_matrix(client_for, users, certificate, name, role):
    method, url, data, expected = VIEWS[name]

    response = getattr(client_for(users[role]), method)(url(certificate), data)

    assert_answer(response, expected[role])
    if method == "post" and expected[role] != 302:
        assert Certificate.objects.count() == 1
        assert not Certificate.objects.filter(revoked_at__isnull=False).exists()
    if name == "list" and role == "outsider":
        # The outsider reads their own facility's list, where ours is not.
        assert NUMBER not in page(response)


@pytest.mark.parametrize("name", VIEWS.keys())
def test_certificate_views_send_anonymous_users_to_login(client_for, certificate, name):
    method, url, data, _expected = VIEWS[name]

    response = getattr(client_for(None), method)(url(certificate), data)

    assert_answer(response, "login")
    assert Certificate.objects.get().revoked_at is None


@pytest.mark.parametrize("name", ["revoke", "reissue"])
def test_certificate_action_views_refuse_get(client_for, admin_user, certificate, name):
    _method, url, _data, _expected = VIEWS[name]

    assert client_for(admin_user).get(url(certificate)).status_code == 405
    assert Certificate.objects.get().revoked_at is None


def test_certificate_detail_refuses_post(client_for, admin_user, certificate):
    assert client_for(admin_user).post(detail_url(certificate)).status_code == 405


def test_certificate_pdf_for_the_viewer_who_signs_it(client_for, viewer_user, certificate):
    response = client_for(viewer_user).get(
        reverse("certificate_documents:pdf", args=[certificate.pk]), {"lang": "en"}
    )

    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Ahmad Fauzi" in " ".join(text.split())


def test_navigation_shows_certificates_to_the_viewer(client_for, viewer_user, trainer_user):
    link = f'href="{reverse("certificates:certificate_list")}"'

    assert link in page(client_for(viewer_user).get(reverse("dashboard")))
    assert link not in page(client_for(trainer_user).get(reverse("attendance:today")))


# The certificate's page


def test_certificate_page_shows_what_was_issued_and_on_what_verdict(
    client_for, viewer_user, certificate, admin_user, program
):
    html = page(client_for(viewer_user).get(detail_url(certificate)))

    assert "Ahmad Fauzi" in html
    assert f'href="{program.get_absolute_url()}"' in html
    assert NUMBER in html
    assert "Certificate of completion" in html
    assert "Valid" in html
    # The verdict frozen in the snapshot: 5 of 5 sessions, 100 %, Kompeten.
    assert "5 of 5 sessions (100%)" in html
    assert "Kompeten" in html
    pdf = reverse("certificate_documents:pdf", args=[certificate.pk])
    assert f'href="{pdf}"' in html
    assert f'href="{pdf}?lang=en"' in html
    verify = reverse("verify:verify", args=[certificate.verification_code])
    assert f'href="http://testserver{verify}"' in html
    assert '<img src="data:image/png;base64,' in html
    assert f"Issued on 8 August 2025, 10:00 by {admin_user}, dated 8 August 2025." in html
    # Only admins revoke.
    assert reverse("certificates:certificate_revoke", args=[certificate.pk]) not in html


def test_certificate_page_of_a_statement_shows_the_participation(
    client_for, staff_user, program, admin_user
):
    statement = make_certificate(program, admin_user, kind="participation")

    html = page(client_for(staff_user).get(detail_url(statement)))

    assert "Statement of participation" in html
    assert "3 of 5 sessions (15 JP)" in html
    assert "Bebas" in html


def test_certificate_page_offers_revoke_and_reissue_to_an_admin(
    client_for, admin_user, certificate
):
    html = page(client_for(admin_user).get(detail_url(certificate)))

    assert f'action="{reverse("certificates:certificate_revoke", args=[certificate.pk])}"' in html
    assert f'action="{reverse("certificates:certificate_reissue", args=[certificate.pk])}"' in html
    assert 'id="revoke_reason"' in html and 'id="reissue_reason"' in html


def test_certificate_page_query_count(
    client_for, admin_user, certificate, django_assert_num_queries
):
    client = client_for(admin_user)

    # session, user, facility (scope), the certificate joined with all the page shows
    with django_assert_num_queries(4):
        client.get(detail_url(certificate))


def test_revoke_from_the_page_shows_who_when_and_why(client_for, admin_user, certificate):
    response = client_for(admin_user).post(
        reverse("certificates:certificate_revoke", args=[certificate.pk]),
        {"reason": "Salah program"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == detail_url(certificate)
    html = page(response)
    assert f"Certificate {NUMBER} revoked." in html
    assert f"by {admin_user}." in html
    assert "Salah program" in html
    # A revoked certificate offers no second revocation.
    assert 'id="revoke_reason"' not in html
    assert Certificate.objects.get().revocation_reason == "Salah program"


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoke_without_a_reason_changes_nothing(client_for, admin_user, certificate, reason):
    response = client_for(admin_user).post(
        reverse("certificates:certificate_revoke", args=[certificate.pk]),
        {"reason": reason},
        follow=True,
    )

    assert "Reason for revoking: This field is required." in shown_messages(response)
    assert response.redirect_chain[-1][0] == detail_url(certificate)
    assert Certificate.objects.get().revoked_at is None


def test_reissue_leads_to_the_new_certificate_and_both_pages_link(
    client_for, admin_user, certificate
):
    client = client_for(admin_user)

    response = client.post(
        reverse("certificates:certificate_reissue", args=[certificate.pk]),
        {"reason": "Nama salah eja", "holder_name": "Achmad Fauzi"},
        follow=True,
    )

    new = Certificate.objects.get(replaces=certificate)
    assert response.redirect_chain[-1][0] == detail_url(new)
    html = page(response)
    assert "Achmad Fauzi" in html
    assert "In the register: Ahmad Fauzi" in html
    assert f'<a href="{detail_url(certificate)}">{NUMBER}</a>: Nama salah eja' in html
    old_html = page(client.get(detail_url(certificate)))
    assert "Revoked" in old_html and "Nama salah eja" in old_html
    assert f'href="{detail_url(new)}">{new.number}</a>' in old_html
    assert f"by {admin_user} as" in old_html


def test_reissue_of_a_revoked_certificate_is_refused(client_for, admin_user, certificate):
    revoke_certificate(certificate=certificate, by=admin_user, reason="Salah program")

    response = client_for(admin_user).post(
        reverse("certificates:certificate_reissue", args=[certificate.pk]),
        {"reason": "Nama salah eja"},
        follow=True,
    )

    assert f"Certificate {NUMBER} is already revoked." in shown_messages(response)
    assert response.redirect_chain[-1][0] == detail_url(certificate)
    assert Certificate.objects.count() == 1


def test_reissue_without_a_reason_changes_nothing(client_for, admin_user, certificate):
    response = client_for(admin_user).post(
        reverse("certificates:certificate_reissue", args=[certificate.pk]),
        {"holder_name": "Achmad Fauzi"},
        follow=True,
    )

    assert "Reason for reissuing: This field is required." in shown_messages(response)
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get().revoked_at is None


# The list


@pytest.fixture
def listed(program, other_program, admin_user):
    """Three certificates: two of `program` (one revoked, one of 2026), one of `other_program`."""
    first = make_certificate(
        program, admin_user, inmate=InmateFactory(facility=program.facility, full_name="Supriadi")
    )
    second = make_certificate(
        program,
        admin_user,
        sequence=2,
        inmate=InmateFactory(facility=program.facility, full_name="Budi Santoso"),
        holder_name="Budi Santosa",
    )
    second.year = 2026
    second.number = "001/LPN.KSG/PK/I/2026"
    second.save(update_fields=["year", "number"])
    third = make_certificate(
        other_program,
        admin_user,
        sequence=3,
        inmate=InmateFactory(facility=program.facility, full_name="Citra Lestari"),
    )
    revoke_certificate(certificate=third, by=admin_user, reason="Salah program")
    return first, second, third


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {0, 1, 2}),
        ({"q": "supri"}, {0}),
        # The printed (corrected) name and the register's spelling both find it.
        ({"q": "Santosa"}, {1}),
        ({"q": "Santoso"}, {1}),
        ({"q": "003/LPN"}, {2}),
        ({"status": "valid"}, {0, 1}),
        ({"status": "revoked"}, {2}),
        ({"year": "2026"}, {1}),
        ({"year": "2025", "status": "valid"}, {0}),
    ],
)
def test_certificate_list_search_and_filters(client_for, staff_user, listed, params, expected):
    html = page(client_for(staff_user).get(list_url(**params)))

    shown = {
        index
        for index, certificate in enumerate(listed)
        if f'href="{detail_url(certificate)}">{certificate.number}</a>' in html
    }
    assert shown == expected


def test_certificate_list_filters_by_program(client_for, viewer_user, listed, other_program):
    html = page(client_for(viewer_user).get(list_url(program=other_program.pk)))

    assert listed[2].number in html
    assert listed[0].number not in html and listed[1].number not in html


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"year": "abc"}, "Select a valid choice. abc is not one of the available choices."),
        ({"year": "1999"}, "Select a valid choice. 1999 is not one of the available choices."),
        ({"status": "zzz"}, "Select a valid choice. zzz is not one of the available choices."),
        ({"program": "abc"}, "Select a valid choice."),
        ({"program": "999999"}, "Select a valid choice."),
    ],
)
def test_certificate_list_ignores_invalid_filters_and_says_so(
    client_for, admin_user, listed, params, error
):
    response = client_for(admin_user).get(list_url(**params))

    assert response.status_code == 200
    html = page(response)
    assert error in html
    # The bad value is ignored: every certificate is still listed.
    assert all(certificate.number in html for certificate in listed)


def test_certificate_list_a_page_out_of_range_is_not_found(client_for, admin_user, listed):
    assert client_for(admin_user).get(list_url(page="abc")).status_code == 404


def test_certificate_list_offers_only_programs_with_certificates(
    client_for, admin_user, listed, facility
):
    ProgramFactory(facility=facility, title="Budidaya Ikan Tanpa Sertifikat")

    html = page(client_for(admin_user).get(list_url()))

    assert "Budidaya Ikan Tanpa Sertifikat" not in html
    assert '<option value="2026">2026</option>' in html


def test_certificate_list_shows_the_printed_date_of_issue(client_for, admin_user, certificate):
    # Recorded in January, dated at the program's end as the confirmation page allows.
    certificate.issued_at = timezone.make_aware(datetime.datetime(2026, 1, 5, 9, 0))
    certificate.save(update_fields=["issued_at"])

    html = page(client_for(admin_user).get(list_url()))
    detail = page(client_for(admin_user).get(detail_url(certificate)))

    assert "8 August 2025" in html
    assert "5 January 2026" not in html
    assert f"Issued on 5 January 2026, 09:00 by {admin_user}, dated 8 August 2025." in detail


def test_certificate_list_carries_no_revoke_forms(client_for, admin_user, listed):
    html = page(client_for(admin_user).get(list_url()))

    assert "certificate_revoke" not in html
    assert reverse("certificates:certificate_revoke", args=[listed[0].pk]) not in html


@pytest.mark.parametrize("rows", [5, 50])
def test_certificate_list_query_count_is_fixed(
    client_for, viewer_user, admin_user, facility, django_assert_num_queries, rows
):
    program = ProgramFactory(facility=facility)
    ProgramPartnerFactory(program=program)
    for sequence in range(1, rows + 1):
        make_certificate(program, admin_user, sequence=sequence)
    client = client_for(viewer_user)

    # session, user, facility (scope), the years for the filter, the count, the page of
    # certificates with their enrolment and program, the programs for the filter
    with django_assert_num_queries(7):
        response = client.get(list_url())

    # One page of 25, newest first, each row linking to its certificate.
    links = re.findall(r'href="/certificates/(\d+)/">', page(response))
    assert len(links) == min(rows, 25)
    assert Certificate.objects.get(pk=links[0]).sequence == rows


def test_certificate_list_filters_kind_and_printed_dates(
    client_for, viewer_user, program, admin_user
):
    """The reports link the certificates (or statements) dated in a period."""
    made = []
    for sequence, (kind, issued_on) in enumerate(
        [
            ("completion", "2025-08-08"),
            ("completion", "2025-09-01"),
            ("participation", "2025-08-20"),
            ("completion", "2025-07-31"),
        ],
        start=1,
    ):
        certificate = make_certificate(program, admin_user, sequence=sequence, kind=kind)
        certificate.snapshot["issued_on"] = issued_on
        certificate.save(update_fields=["snapshot"])
        made.append(certificate)
    html = page(
        client_for(viewer_user).get(
            list_url(kind="completion", issued_from="2025-08-01", issued_to="2025-08-31")
        )
    )
    assert [certificate.number in html for certificate in made] == [True, False, False, False]
    html = page(client_for(viewer_user).get(list_url(kind="participation", issued_to="2025-12-31")))
    assert [certificate.number in html for certificate in made] == [False, False, True, False]


def test_certificate_list_bad_kind_or_date_says_so(client_for, viewer_user, listed):
    html = page(client_for(viewer_user).get(list_url(kind="diploma", issued_from="2025-02-30")))
    assert "Select a valid choice. diploma is not one of the available choices." in html
    assert "Enter a valid date." in html
    assert all(certificate.number in html for certificate in listed)
