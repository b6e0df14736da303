from django.db import migrations


def mark_held(apps, schema_editor):
    """Sessions whose attendance was recorded before "held" existed become held."""
    TrainingSession = apps.get_model("programs", "TrainingSession")
    AttendanceRecord = apps.get_model("attendance", "AttendanceRecord")
    TrainingSession.objects.filter(
        status="scheduled",
        pk__in=AttendanceRecord.objects.values("session_id"),
    ).update(status="held")


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0003_attendancesheetscan"),
        ("programs", "0005_program_life"),
    ]

    operations = [migrations.RunPython(mark_held, migrations.RunPython.noop)]
