"""Regional office accounts: only a superuser makes them (in the Django admin), with a region
and no facility; a facility administrator can neither give the role nor move a facility's
region. Every mismatch the database would refuse is a form error, never a 500."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from lapas_training.models import Facility, Region, Role, User
from tests.factories import UserFactory
from tests.helpers import form_as_rendered, page


@pytest.fixture
def region(db):
    return Region.objects.create(name="Kanwil Kalimantan Tengah", city="Palangka Raya")


@pytest.fixture
def facility_staff(facility):
    """A facility administrator who may manage users and their facility in the Django admin."""
    user = UserFactory(username="lapas-admin", facility=facility, role=Role.ADMIN, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_user",
                "add_user",
                "change_user",
                "view_facility",
                "change_facility",
            ]
        )
    )
    return user


def add_user(client, **fields):
    data = {"username": "kanwil", "usable_password": "false", "language": "id", **fields}
    return client.post(reverse("admin:lapas_training_user_add"), data)


def test_superuser_creates_a_regional_account(client_for, superuser, region):
    response = add_user(client_for(superuser), role="regional", region=region.pk, facility="")
    assert response.status_code == 302
    user = User.objects.get(username="kanwil")
    assert (user.role, user.region, user.facility) == (Role.REGIONAL, region, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "regional", "region": ""}, "Choose the region a regional office account reads."),
        (
            {"role": "regional", "region": "REGION", "facility": "FACILITY"},
            "A regional office account reads a region, not one facility: leave the facility empty.",
        ),
        (
            {"role": "staff", "region": "REGION", "facility": "FACILITY"},
            "Only a regional office account belongs to a region; leave the region empty.",
        ),
    ],
)
def test_admin_refuses_a_regional_mismatch_with_a_message(
    client_for, superuser, region, facility, fields, message
):
    ids = {"REGION": region.pk, "FACILITY": facility.pk}
    response = add_user(client_for(superuser), **{k: ids.get(v, v) for k, v in fields.items()})
    assert response.status_code == 200
    assert message in page(response)
    assert not User.objects.filter(username="kanwil").exists()


def test_admin_refuses_turning_a_staff_account_regional_without_region(
    client_for, superuser, staff_user
):
    client = client_for(superuser)
    url = reverse("admin:lapas_training_user_change", args=[staff_user.pk])
    data = form_as_rendered(client.get(url), "role")
    data.update(role=["regional"])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose the region a regional office account reads." in page(response)
    staff_user.refresh_from_db()
    assert (staff_user.role, staff_user.region) == (Role.STAFF, None)


def test_facility_admin_cannot_give_the_regional_role_in_the_admin(
    client_for, facility_staff, facility, region
):
    client = client_for(facility_staff)
    form = client.get(reverse("admin:lapas_training_user_add")).context["adminform"].form
    assert "regional" not in dict(form.fields["role"].choices)
    assert "region" not in form.fields
    response = add_user(client, role="regional", region=region.pk, facility=facility.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in page(response)
    assert not User.objects.filter(username="kanwil").exists()


def test_facility_admin_cannot_give_the_regional_role_in_the_app(client_for, admin_user):
    client = client_for(admin_user)
    response = client.get(reverse("user_create"))
    assert 'value="regional"' not in page(response)
    response = client.post(
        reverse("user_create"),
        {
            "username": "kanwil",
            "role": "regional",
            "password1": "Kerajinan-Batu-2025",
            "password2": "Kerajinan-Batu-2025",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in page(response)
    assert not User.objects.filter(username="kanwil").exists()


def test_facility_admin_cannot_make_a_user_regional_in_the_app(client_for, admin_user, staff_user):
    client = client_for(admin_user)
    url = reverse("user_update", args=[staff_user.pk])
    data = form_as_rendered(client.get(url), "role")
    data.update(role=["regional"])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in page(response)
    staff_user.refresh_from_db()
    assert staff_user.role == Role.STAFF


def test_superuser_edits_regions_and_a_facility_region(client_for, superuser, facility):
    client = client_for(superuser)
    response = client.post(
        reverse("admin:lapas_training_region_add"),
        {"name": "Kanwil Kalimantan Tengah", "office_name": "", "city": "Palangka Raya"},
    )
    assert response.status_code == 302
    region = Region.objects.get()
    url = reverse("admin:lapas_training_facility_change", args=[facility.pk])
    data = form_as_rendered(client.get(url), "region")
    data.update(region=[str(region.pk)])
    assert client.post(url, data).status_code == 302
    facility.refresh_from_db()
    assert facility.region == region


def test_facility_admin_neither_sees_regions_nor_moves_their_facility(
    client_for, facility_staff, facility, region
):
    client = client_for(facility_staff)
    assert client.get(reverse("admin:lapas_training_region_changelist")).status_code == 403
    url = reverse("admin:lapas_training_facility_change", args=[facility.pk])
    response = client.get(url)
    assert "region" not in response.context["adminform"].form.fields
    data = form_as_rendered(response, "name")
    data["region"] = [str(region.pk)]
    client.post(url, data)
    assert Facility.objects.get(pk=facility.pk).region is None
