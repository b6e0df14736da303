import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import FacilityFactory

BEFORE = [("inmates", "0004_inmate_departure")]
AFTER = [("inmates", "0005_departure_required")]


@pytest.mark.django_db(transaction=True)
def test_migration_dates_departures_recorded_without_a_date():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Inmate = old_apps.get_model("inmates", "Inmate")
    # Only the inmates app moved back; the facility table is at its latest state.
    facility = FacilityFactory()
    released = Inmate.objects.create(
        facility_id=facility.pk,
        registration_number="B.I-1",
        full_name="A",
        gender="L",
        status="released",
    )
    transferred = Inmate.objects.create(
        facility_id=facility.pk,
        registration_number="B.I-2",
        full_name="B",
        gender="L",
        status="transferred",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    Inmate = new_apps.get_model("inmates", "Inmate")
    assert Inmate.objects.get(pk=released.pk).departed_on == timezone.localdate()
    moved = Inmate.objects.get(pk=transferred.pk)
    assert (moved.departed_on, moved.transfer_destination) == (timezone.localdate(), "?")

    # Leave the database at the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
