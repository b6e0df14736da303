import pytest
from django.urls import reverse

from lapas_training.models import Role, User
from tests.factories import UserFactory


@pytest.mark.parametrize("url_name", ["user_list", "user_create"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", 200), ("staff", 403), ("viewer", 403), ("trainer", 403)],
)
def test_user_pages_admin_only(client_for, users, url_name, who, expected):
    response = client_for(users[who]).get(reverse(url_name))
    assert response.status_code == expected


@pytest.mark.parametrize("url_name", ["user_list", "user_create"])
def test_user_pages_anonymous_redirects_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_update_other_facility_is_404(client_for, admin_user, outside_admin):
    response = client_for(admin_user).get(reverse("user_update", args=[outside_admin.pk]))
    assert response.status_code == 404


def test_user_list_shows_only_own_facility(client_for, admin_user, staff_user, outside_admin):
    page = client_for(admin_user).get(reverse("user_list")).content.decode()
    assert staff_user.username in page
    assert outside_admin.username not in page


@pytest.mark.parametrize("rows", [5, 50])
def test_user_list_query_count_is_fixed(
    client_for, admin_user, facility, partner, rows, django_assert_num_queries
):
    UserFactory.create_batch(rows, facility=facility, role=Role.TRAINER, partner=partner)
    client = client_for(admin_user)
    # session, user, facility (scope), count for the paginator, the users with their partners
    with django_assert_num_queries(5):
        response = client.get(reverse("user_list"))
    assert response.status_code == 200


def test_user_create_trainer_with_partner(client_for, admin_user, facility, partner):
    response = client_for(admin_user).post(
        reverse("user_create"),
        {
            "username": "pelatih.baru",
            "first_name": "Siti",
            "last_name": "Aminah",
            "role": Role.TRAINER,
            "partner": partner.pk,
            "password1": "Kerajinan-Batu-2025",
            "password2": "Kerajinan-Batu-2025",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="pelatih.baru")
    assert (created.facility, created.partner, created.role) == (facility, partner, Role.TRAINER)
    assert created.check_password("Kerajinan-Batu-2025")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"partner": ""}, "A trainer must belong to a partner."),
        (
            {"role": Role.STAFF},
            "Only a trainer account belongs to a partner; leave the partner empty.",
        ),
        ({"password2": "something-else-2025"}, "didn’t match"),
        ({"username": "admin"}, "A user with that username already exists."),
        ({"username": ""}, "This field is required."),
        ({"username": "x" * 200}, "Ensure this value has at most 150 characters"),
    ],
)
def test_user_create_bad_input_saves_nothing(client_for, admin_user, partner, changes, message):
    data = {
        "username": "pelatih.baru",
        "role": Role.TRAINER,
        "partner": partner.pk,
        "password1": "Kerajinan-Batu-2025",
        "password2": "Kerajinan-Batu-2025",
        **changes,
    }
    before = User.objects.count()
    response = client_for(admin_user).post(reverse("user_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_user_create_partner_of_other_facility_refused(client_for, admin_user, other_facility):
    from tests.factories import PartnerFactory

    foreign = PartnerFactory(facility=other_facility)
    response = client_for(admin_user).post(
        reverse("user_create"),
        {
            "username": "pelatih.asing",
            "role": Role.TRAINER,
            "partner": foreign.pk,
            "password1": "Kerajinan-Batu-2025",
            "password2": "Kerajinan-Batu-2025",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(username="pelatih.asing").exists()


def test_user_update_deactivates_account(client_for, admin_user, staff_user):
    response = client_for(admin_user).post(
        reverse("user_update", args=[staff_user.pk]),
        {"first_name": "A", "last_name": "B", "email": "", "role": Role.VIEWER, "language": ""},
    )
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert (staff_user.role, staff_user.is_active) == (Role.VIEWER, False)


def test_user_update_cannot_lock_out_self(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("user_update", args=[admin_user.pk]),
        {"first_name": "A", "last_name": "B", "role": Role.STAFF, "language": ""},
    )
    assert "You cannot deactivate your own account." in response.content.decode()
    assert "You cannot take away your own admin role." in response.content.decode()
    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_active) == (Role.ADMIN, True)


def test_profile_language_changes_interface(client_for, staff_user):
    client = client_for(staff_user)
    client.post(
        reverse("profile"), {"first_name": "Rina", "last_name": "", "email": "", "language": "id"}
    )
    staff_user.refresh_from_db()
    assert staff_user.language == "id"
    assert client.get(reverse("dashboard"))["Content-Language"] == "id"


def test_profile_anonymous_redirects_to_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302


def test_switch_facility_superuser_only(
    client_for, admin_user, superuser, facility, other_facility
):
    assert (
        client_for(admin_user)
        .post(reverse("switch_facility"), {"facility": other_facility.pk})
        .status_code
        == 403
    )
    client = client_for(superuser)
    assert client.get(reverse("switch_facility")).status_code == 405
    response = client.post(reverse("switch_facility"), {"facility": other_facility.pk})
    assert response.status_code == 302
    page = client.get(reverse("dashboard")).content.decode()
    assert f'title="{other_facility.name}"' in page
