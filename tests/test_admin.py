"""The Django admin: every model works for a superuser; a facility's staff sees only its rows."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRecord, AttendanceStatus
from certificates.models import Certificate
from inmates.models import Inmate
from lapas_training.models import Role, User
from programs.models import Program
from tests.factories import (
    EnrollmentFactory,
    InmateFactory,
    PartnerAgreementFactory,
    TrainingSessionFactory,
    UserFactory,
)

MODELS = [
    "lapas_training.facility",
    "lapas_training.user",
    "programs.partner",
    "programs.partneragreement",
    "programs.program",
    "programs.trainingsession",
    "programs.enrollment",
    "inmates.inmate",
    "attendance.attendancerecord",
    "certificates.certificate",
]


def admin_url(model, view, *args):
    app_label, model_name = model.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def facility_staff(facility):
    """A facility administrator who may use the Django admin for inmates and programs."""
    user = UserFactory(username="lapas-admin", facility=facility, role=Role.ADMIN, is_staff=True)
    return grant(
        user,
        "view_inmate",
        "change_inmate",
        "view_program",
        "add_program",
        "view_enrollment",
        "add_enrollment",
        "view_user",
        "change_user",
    )


@pytest.fixture
def certificate(facility, program, inmate, admin_user):
    enrollment = EnrollmentFactory(program=program, inmate=inmate)
    return Certificate.objects.create(
        enrollment=enrollment,
        facility=facility,
        year=2025,
        sequence=1,
        number="001/LPN.KSG/PK/VIII/2025",
        verification_code="ABC123",
        snapshot={"holder": inmate.full_name},
        issued_at=timezone.now(),
        issued_by=admin_user,
    )


@pytest.fixture
def every_model(certificate, program, partner, admin_user):
    """One row of every model, so changelists render real rows."""
    PartnerAgreementFactory(partner=partner)
    session = TrainingSessionFactory(program=program)
    AttendanceRecord.objects.create(
        session=session,
        enrollment=certificate.enrollment,
        status=AttendanceStatus.PRESENT,
        recorded_by=admin_user,
    )


# Superuser -----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_admin_superuser_opens_every_changelist_and_add_page(
    client_for, superuser, every_model, model
):
    client = client_for(superuser)
    changelist = client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    assert client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_admin_superuser_opens_every_change_page(client_for, superuser, every_model, model):
    obj = apps.get_model(model).objects.first()
    response = client_for(superuser).get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


def test_admin_superuser_sees_every_facility(client_for, superuser, inmate, outside_inmate):
    page = client_for(superuser).get(admin_url("inmates.inmate", "changelist")).content.decode()
    assert inmate.full_name in page
    assert outside_inmate.full_name in page


def test_admin_changelist_search_finds_by_registration_number(client_for, superuser, facility):
    InmateFactory(facility=facility, full_name="Dedi Kurniawan", registration_number="B.I-55/2025")
    InmateFactory(facility=facility, full_name="Eko Prasetyo", registration_number="B.I-66/2025")
    response = client_for(superuser).get(admin_url("inmates.inmate", "changelist"), {"q": "B.I-55"})
    page = response.content.decode()
    assert "Dedi Kurniawan" in page
    assert "Eko Prasetyo" not in page


def test_admin_inmate_history_lists_changes(client_for, superuser, inmate):
    inmate.block = "Blok Z"
    inmate.save()
    response = client_for(superuser).get(admin_url("inmates.inmate", "history", inmate.pk))
    assert response.status_code == 200
    assert "Blok Z" in response.content.decode()


# Delete protection ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["certificates.certificate", "attendance.attendancerecord"])
def test_admin_certificates_and_attendance_cannot_be_deleted(
    client_for, superuser, every_model, model
):
    model_class = apps.get_model(model)
    obj = model_class.objects.get()
    client = client_for(superuser)
    assert client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    response = client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert model_class.objects.filter(pk=obj.pk).exists()


def test_admin_delete_of_protected_inmate_is_refused_with_a_page(
    client_for, superuser, program, inmate
):
    EnrollmentFactory(program=program, inmate=inmate)
    client = client_for(superuser)
    url = admin_url("inmates.inmate", "delete", inmate.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in (
        response.content.decode()
    )
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Inmate.objects.filter(pk=inmate.pk).exists()


def test_admin_delete_of_topic_used_by_a_session_is_a_form_error(client_for, superuser, program):
    topic = program.topics.create(title="Kewirausahaan", jp=4)
    TrainingSessionFactory(program=program, topic=topic)
    partner_link = program.program_partners.get()
    data = {
        "facility": program.facility_id,
        "title": program.title,
        "description": "",
        "skill_category": program.skill_category,
        "location": program.location,
        "start_date": "2025-08-04",
        "end_date": "2025-08-08",
        "capacity": 20,
        "attendance_threshold": 80,
        "assessment_required": "on",
        "status": program.status,
        "topics-TOTAL_FORMS": 1,
        "topics-INITIAL_FORMS": 1,
        "topics-0-id": topic.pk,
        "topics-0-program": program.pk,
        "topics-0-order": 0,
        "topics-0-title": topic.title,
        "topics-0-jp": 4,
        "topics-0-DELETE": "on",
        "program_partners-TOTAL_FORMS": 1,
        "program_partners-INITIAL_FORMS": 1,
        "program_partners-0-id": partner_link.pk,
        "program_partners-0-program": program.pk,
        "program_partners-0-partner": partner_link.partner_id,
        "program_partners-0-role": partner_link.role,
    }
    response = client_for(superuser).post(admin_url("programs.program", "change", program.pk), data)
    assert response.status_code == 200
    assert "protected related objects" in response.content.decode()
    assert program.topics.filter(pk=topic.pk).exists()


# Facility staff -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "own", "foreign"),
    [
        ("inmates.inmate", "inmate", "outside_inmate"),
        ("programs.program", "program", "outside_program"),
    ],
)
def test_admin_facility_staff_sees_only_own_facility(
    client_for, facility_staff, request, model, own, foreign
):
    own, foreign = request.getfixturevalue(own), request.getfixturevalue(foreign)
    response = client_for(facility_staff).get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [own]
    page = response.content.decode()
    assert admin_url(model, "change", own.pk) in page
    assert admin_url(model, "change", foreign.pk) not in page


@pytest.mark.parametrize(
    ("model", "own", "foreign"),
    [
        ("inmates.inmate", "inmate", "outside_inmate"),
        ("programs.program", "program", "outside_program"),
    ],
)
def test_admin_facility_staff_cannot_open_other_facility_object(
    client_for, facility_staff, request, model, own, foreign
):
    own, foreign = request.getfixturevalue(own), request.getfixturevalue(foreign)
    client = client_for(facility_staff)
    assert client.get(admin_url(model, "change", own.pk)).status_code == 200
    response = client.get(admin_url(model, "change", foreign.pk))
    # Django's admin answers an object outside get_queryset like a missing one.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_admin_facility_staff_cannot_change_other_facility_inmate(
    client_for, facility_staff, outside_inmate
):
    client_for(facility_staff).post(
        admin_url("inmates.inmate", "change", outside_inmate.pk),
        {"full_name": "Changed", "registration_number": "X", "gender": "L", "status": "active"},
    )
    outside_inmate.refresh_from_db()
    assert outside_inmate.full_name == "Rahmat Hidayat"


def test_admin_facility_staff_history_of_other_facility_is_404(
    client_for, facility_staff, inmate, outside_inmate
):
    client = client_for(facility_staff)
    assert client.get(admin_url("inmates.inmate", "history", inmate.pk)).status_code == 200
    response = client.get(admin_url("inmates.inmate", "history", outside_inmate.pk))
    assert response.status_code == 404
    own_version, foreign_version = inmate.history.get(), outside_inmate.history.get()
    version_url = "admin:inmates_inmate_simple_history"
    response = client.get(reverse(version_url, args=[inmate.pk, own_version.history_id]))
    assert response.status_code == 200
    response = client.get(
        reverse(version_url, args=[outside_inmate.pk, foreign_version.history_id])
    )
    assert response.status_code == 404


def test_admin_autocomplete_offers_only_own_facility(
    client_for, facility_staff, inmate, outside_inmate
):
    response = client_for(facility_staff).get(
        reverse("admin:autocomplete"),
        {"app_label": "programs", "model_name": "enrollment", "field_name": "inmate", "term": ""},
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(inmate.pk)]


def test_admin_autocomplete_search_stays_in_facility(
    client_for, facility_staff, facility, other_facility
):
    own = InmateFactory(facility=facility, full_name="Hasan Basri")
    InmateFactory(facility=other_facility, full_name="Hasan Luar")
    response = client_for(facility_staff).get(
        reverse("admin:autocomplete"),
        {
            "app_label": "programs",
            "model_name": "enrollment",
            "field_name": "inmate",
            "term": "hasan",
        },
    )
    assert [row["text"] for row in response.json()["results"]] == [str(own)]


def test_admin_enrollment_form_refuses_other_facility_choices(
    client_for, facility_staff, program, inmate, outside_program, outside_inmate
):
    client = client_for(facility_staff)
    form = client.get(admin_url("programs.enrollment", "add")).context["adminform"].form
    assert list(form.fields["program"].queryset) == [program]
    assert list(form.fields["inmate"].queryset) == [inmate]

    response = client.post(
        admin_url("programs.enrollment", "add"),
        {
            "program": outside_program.pk,
            "inmate": outside_inmate.pk,
            "enrolled_on": "2025-08-04",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not outside_program.enrollments.exists()


def test_admin_facility_staff_adds_program_in_own_facility(
    client_for, facility_staff, facility, other_facility
):
    client = client_for(facility_staff)
    form = client.get(admin_url("programs.program", "add")).context["adminform"].form
    assert list(form.fields["facility"].queryset) == [facility]

    data = {
        "title": "Budidaya Jamur",
        "skill_category": "agriculture",
        "location": "Aula Utama",
        "start_date": "2025-09-01",
        "end_date": "2025-09-05",
        "capacity": 15,
        "attendance_threshold": 80,
        "status": "draft",
        "topics-TOTAL_FORMS": 0,
        "topics-INITIAL_FORMS": 0,
        "program_partners-TOTAL_FORMS": 0,
        "program_partners-INITIAL_FORMS": 0,
    }
    response = client.post(admin_url("programs.program", "add"), {**data, "facility": facility.pk})
    assert response.status_code == 302
    assert Program.objects.get(title="Budidaya Jamur").facility == facility

    response = client.post(
        admin_url("programs.program", "add"),
        {**data, "title": "Menyusup", "facility": other_facility.pk},
    )
    assert response.status_code == 200
    assert not Program.objects.filter(title="Menyusup").exists()


def test_admin_facility_staff_without_permission_is_refused(client_for, facility, program):
    # Admins hold the admin permissions by role (RolePermissionBackend); other roles need rows.
    staff = UserFactory(facility=facility, role=Role.STAFF, is_staff=True)
    response = client_for(staff).get(admin_url("programs.partner", "changelist"))
    assert response.status_code == 403


def test_admin_staff_trainer_sees_nothing(client_for, partner, inmate):
    trainer = UserFactory(
        username="staff-trainer", role=Role.TRAINER, partner=partner, facility=partner.facility
    )
    trainer.is_staff = True
    trainer.save()
    grant(trainer, "view_inmate")
    response = client_for(trainer).get(admin_url("inmates.inmate", "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


# Users --------------------------------------------------------------------------------------


def test_admin_facility_staff_sees_only_own_users(
    client_for, facility_staff, admin_user, outside_admin, superuser
):
    response = client_for(facility_staff).get(admin_url("lapas_training.user", "changelist"))
    usernames = {user.username for user in response.context["cl"].result_list}
    assert usernames == {"admin", "lapas-admin"}


def test_admin_facility_staff_cannot_grant_superuser(client_for, facility_staff, staff_user):
    client = client_for(facility_staff)
    url = admin_url("lapas_training.user", "change", staff_user.pk)
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields


def test_admin_user_add_without_facility_is_a_form_error(client_for, superuser):
    response = client_for(superuser).post(
        admin_url("lapas_training.user", "add"),
        {"username": "baru", "usable_password": "false", "role": "staff", "facility": ""},
    )
    assert response.status_code == 200
    assert "Choose a facility: every account except a superuser" in response.content.decode()
    assert not User.objects.filter(username="baru").exists()


def test_admin_user_add_trainer_needs_partner(client_for, superuser, facility):
    response = client_for(superuser).post(
        admin_url("lapas_training.user", "add"),
        {
            "username": "pelatih",
            "usable_password": "false",
            "role": "trainer",
            "facility": facility.pk,
        },
    )
    assert response.status_code == 200
    assert "A trainer must belong to a partner." in response.content.decode()
    assert not User.objects.filter(username="pelatih").exists()


def test_admin_user_add_partner_of_other_facility_is_refused(
    client_for, superuser, other_facility, partner
):
    response = client_for(superuser).post(
        admin_url("lapas_training.user", "add"),
        {
            "username": "pelatih",
            "usable_password": "false",
            "role": "trainer",
            "facility": other_facility.pk,
            "partner": partner.pk,
        },
    )
    assert "The partner must belong to the account&#x27;s facility." in response.content.decode()
    assert not User.objects.filter(username="pelatih").exists()


def test_admin_user_add_by_superuser_saves(client_for, superuser, facility, partner):
    response = client_for(superuser).post(
        admin_url("lapas_training.user", "add"),
        {
            "username": "pelatih",
            "usable_password": "false",
            "role": "trainer",
            "facility": facility.pk,
            "partner": partner.pk,
            "language": "id",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="pelatih")
    assert (user.facility, user.partner, user.language) == (facility, partner, "id")
    assert not user.has_usable_password()


def test_admin_facility_staff_filters_show_only_own_values(
    client_for, facility_staff, facility, other_facility
):
    InmateFactory(facility=facility, block="Blok Mawar")
    InmateFactory(facility=other_facility, block="Blok Rahasia")
    response = client_for(facility_staff).get(admin_url("inmates.inmate", "changelist"))
    titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert "facility" not in titles
    page = response.content.decode()
    assert "Blok Mawar" in page
    assert "Blok Rahasia" not in page
    assert other_facility.name not in page


@pytest.mark.parametrize("model", ["programs.sessionphoto", "programs.productphoto"])
def test_admin_photos_are_listed_but_not_added_or_changed_there(client_for, superuser, model):
    # Uploads must pass through sanitize_image on the session and program pages.
    client = client_for(superuser)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    assert client.get(admin_url(model, "add")).status_code == 403
