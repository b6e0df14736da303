"""The database cache's table (settings.CACHES), so that `migrate` alone prepares a fresh
install: the verification page's rate limit counts in it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Creates the table of every DatabaseCache in settings.CACHES that lacks one; a no-op for
    # other cache backends (then `manage.py createcachetable` after switching to one).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("lapas_training", "0005_facility_letterhead")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
