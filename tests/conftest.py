"""The cast: one facility with a user per role and two partners, and an outsider facility.

`facility` runs `program` with `partner` (lead); `other_program` is run by `other_partner` alone;
`outside_program` belongs to `other_facility`. `trainer` teaches for `partner`, so they may see
`program` but not `other_program` (404) nor anything of `other_facility` (404).
"""

import pytest

from lapas_training.models import Region, Role
from tests.factories import (
    FacilityFactory,
    InmateFactory,
    PartnerFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher costs ~0.3 s per password on purpose; tests only need it to match.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; tests serve the source files instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read pages in English (the source strings) unless they ask for Indonesian.

    Indonesian is the product's default; `tests/lapas_training/test_i18n.py` checks it.
    """
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _second_factor_not_required(settings):
    """No role is obliged to a second factor unless a test turns TWO_FACTOR_REQUIRED back on.

    Most tests log an admin in with `force_login`, through the login form or in a browser, to
    test something else; each would otherwise meet the enrolment page. The two-factor tests
    (tests/lapas_training/test_two_factor.py, tests/e2e/test_two_factor.py) turn it on; the
    middleware reads the setting at each request, so this holds for the live server too.
    """
    settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture
def facility(db):
    return FacilityFactory(name="Lapas Narkotika Kelas IIA Kasongan", unit_code="LPN.KSG")


@pytest.fixture
def other_facility(db):
    return FacilityFactory(name="Rutan Kelas IIB Pangkalan Bun", unit_code="RTN.PBN")


@pytest.fixture
def partner(facility):
    return PartnerFactory(facility=facility, name="BLK Kota Palangka Raya")


@pytest.fixture
def other_partner(facility):
    return PartnerFactory(facility=facility, name="LPK Multi Karya", kind="lpk")


@pytest.fixture
def admin_user(facility):
    return UserFactory(username="admin", facility=facility, role=Role.ADMIN)


@pytest.fixture
def staff_user(facility):
    return UserFactory(username="staff", facility=facility, role=Role.STAFF)


@pytest.fixture
def viewer_user(facility):
    return UserFactory(username="viewer", facility=facility, role=Role.VIEWER)


@pytest.fixture
def trainer_user(facility, partner):
    return UserFactory(username="trainer", facility=facility, role=Role.TRAINER, partner=partner)


@pytest.fixture
def other_trainer_user(facility, other_partner):
    return UserFactory(
        username="trainer2", facility=facility, role=Role.TRAINER, partner=other_partner
    )


@pytest.fixture
def outside_admin(other_facility):
    return UserFactory(username="outsider", facility=other_facility, role=Role.ADMIN)


@pytest.fixture
def regional_user(facility):
    """A regional office (Kanwil) reader whose region holds `facility`: no facility of its own."""
    region = Region.objects.create(name="Kanwil Kalimantan Tengah", city="Palangka Raya")
    facility.region = region
    facility.save(update_fields=["region"])
    return UserFactory(username="kanwil", facility=None, role=Role.REGIONAL, region=region)


@pytest.fixture
def superuser(db):
    return UserFactory(
        username="root", facility=None, role=Role.ADMIN, is_superuser=True, is_staff=True
    )


@pytest.fixture
def program(facility, partner):
    program = ProgramFactory(facility=facility, title="Aksesoris Gelang dan Kalung Batu")
    ProgramPartnerFactory(program=program, partner=partner)
    return program


@pytest.fixture
def other_program(facility, other_partner):
    program = ProgramFactory(facility=facility, title="Menjahit Dasar")
    ProgramPartnerFactory(program=program, partner=other_partner)
    return program


@pytest.fixture
def outside_program(other_facility):
    program = ProgramFactory(facility=other_facility, title="Budidaya Lele")
    ProgramPartnerFactory(program=program)
    return program


@pytest.fixture
def inmate(facility):
    return InmateFactory(facility=facility, full_name="Budi Santoso")


@pytest.fixture
def outside_inmate(other_facility):
    return InmateFactory(facility=other_facility, full_name="Rahmat Hidayat")


@pytest.fixture
def users(admin_user, staff_user, viewer_user, trainer_user, outside_admin):
    """Every role of the cast by name, for permission tables."""
    return {
        "admin": admin_user,
        "staff": staff_user,
        "viewer": viewer_user,
        "trainer": trainer_user,
        "outsider": outside_admin,
    }


@pytest.fixture
def client_for(client):
    """Log `client` in as the given user (or stay anonymous with None) and return it."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
