from django.urls import reverse

from lapas_training.models import Role
from tests.factories import UserFactory


def test_facility_admin_uses_django_admin_scoped(client_for, facility, inmate, outside_inmate):
    admin = UserFactory(facility=facility, role=Role.ADMIN, is_staff=True)
    client = client_for(admin)
    page = client.get(reverse("admin:inmates_inmate_changelist")).content.decode()
    assert inmate.full_name in page
    assert outside_inmate.full_name not in page
    assert client.get(reverse("admin:lapas_training_facility_add")).status_code == 403


def test_staff_role_has_no_django_admin_permissions(client_for, facility):
    staff = UserFactory(facility=facility, role=Role.STAFF, is_staff=True)
    response = client_for(staff).get(reverse("admin:inmates_inmate_changelist"))
    assert response.status_code == 403


def test_user_created_as_admin_gets_django_admin_access(client_for, admin_user):
    client_for(admin_user).post(
        reverse("user_create"),
        {
            "username": "admin.baru",
            "role": Role.ADMIN,
            "password1": "Kerajinan-Batu-2025",
            "password2": "Kerajinan-Batu-2025",
        },
    )
    admin_user.refresh_from_db()
    created = type(admin_user).objects.get(username="admin.baru")
    assert created.is_staff
    assert created.has_perm("programs.change_program")
    assert not created.has_perm("auth.change_group")
