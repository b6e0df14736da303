"""The Django admin's read-only pages of issuers, their keys, status lists and credentials: for
the superuser alone, and never showing a private key."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from certificates import services
from certificates.models import Credential, Issuer, IssuerKey, StatusList
from lapas_training.models import Role
from tests.certificates.test_credentials import BASE_URL, issue, participants
from tests.factories import UserFactory

MODELS = {"issuer": Issuer, "statuslist": StatusList, "credential": Credential}


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE_URL


@pytest.fixture
def issued(program, admin_user):
    """Two certificates of completion with their credentials; the first revoked."""
    certificates = issue(
        program, admin_user, participants(program, ("Ahmad Fauzi", "Budi Santoso"))
    )
    services.revoke_certificate(certificate=certificates[0], by=admin_user, reason="Salah nama")
    return certificates


@pytest.fixture
def facility_staff(facility):
    """A facility admin allowed into the Django admin, with every credential permission."""
    user = UserFactory(username="lapas-admin", facility=facility, role=Role.ADMIN, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="certificates"))
    return user


def url(model, view, *args):
    return reverse(f"admin:certificates_{model}_{view}", args=args)


@pytest.mark.usefixtures("issued")
@pytest.mark.parametrize("model", MODELS)
def test_superuser_reads_every_list_and_record(client_for, superuser, model):
    client = client_for(superuser)
    changelist = client.get(url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == MODELS[model].objects.count() >= 1
    record = MODELS[model].objects.first()
    assert client.get(url(model, "change", record.pk)).status_code == 200


def test_issuer_page_shows_its_did_and_public_keys_but_no_private_key(
    client_for, superuser, issued, facility
):
    issuer = Issuer.objects.get(facility=facility)
    shown = client_for(superuser).get(url("issuer", "change", issuer.pk)).content.decode()

    did = f"did:web:pelatihan.example.go.id:issuers:{issuer.slug}"
    assert did in shown
    assert f"{did}#key-1" in shown
    key = IssuerKey.objects.get(issuer=issuer)
    assert key.public_jwk["x"] in shown
    assert key.private_key not in shown
    assert key.private_key[:40] not in shown
    assert "private key" not in shown.lower()


def test_credential_list_says_which_are_revoked(client_for, superuser, issued):
    response = client_for(superuser).get(url("credential", "changelist"), {"q": issued[0].number})
    assert [row.certificate for row in response.context["cl"].result_list] == [issued[0]]
    assert 'alt="True"' in response.content.decode()
    client = client_for(superuser)
    revoked = client.get(url("credential", "changelist"), {"revoked": "yes"}).context["cl"]
    assert [row.certificate for row in revoked.result_list] == [issued[0]]
    valid = client.get(url("credential", "changelist"), {"revoked": "no"}).context["cl"]
    assert [row.certificate for row in valid.result_list] == [issued[1]]


@pytest.mark.usefixtures("issued")
@pytest.mark.parametrize("model", MODELS)
def test_nothing_is_added_changed_or_deleted_here(client_for, superuser, model):
    client = client_for(superuser)
    record = MODELS[model].objects.first()
    before = MODELS[model].objects.count()

    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    client.post(url(model, "change", record.pk), {"number": 99, "status_index": 99, "slug": "x"})

    assert MODELS[model].objects.count() == before
    record.refresh_from_db()
    assert getattr(record, "number", None) != 99
    assert getattr(record, "status_index", None) != 99
    assert getattr(record, "slug", None) != "x"


@pytest.mark.usefixtures("issued")
@pytest.mark.parametrize("model", MODELS)
def test_facility_admin_in_the_django_admin_is_refused(client_for, facility_staff, model):
    client = client_for(facility_staff)
    assert client.get(url(model, "changelist")).status_code == 403
    record = MODELS[model].objects.first()
    assert client.get(url(model, "change", record.pk)).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "Credential issuers" not in index


@pytest.mark.parametrize("model", MODELS)
def test_anonymous_is_sent_to_the_admin_login(client, model):
    response = client.get(url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
