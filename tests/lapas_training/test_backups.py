"""`manage.py backup`, then `manage.py restore` into a new, empty database and media folder.

The restore runs in a subprocess (`manage.py` with its own DATABASE_URL and MEDIA_ROOT): the
only way to restore into another database than the test's. The data must be committed for the
backup to see it, hence `transaction=True`.
"""

import datetime
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import issue_certificates
from inmates.models import Inmate
from inmates.photos import sanitize_image
from tests.certificates import close, enrol, make_sessions
from tests.factories import InmateFactory
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = Path(settings.BASE_DIR) / "manage.py"
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL and pg_dump (set DATABASE_URL=postgres://…)",
)


@pytest.fixture(autouse=True)
def _backup_dir(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"


@pytest.fixture
def seeded(facility, admin_user, staff_user, trainer_user, program):
    """A facility with users, an inmate with a portrait, a closed program and a certificate."""
    inmate = InmateFactory(facility=facility, full_name="Budi Santoso")
    full, thumbnail = sanitize_image(upload(image_bytes(size=(400, 300))))
    inmate.photo.save(full.name, full, save=False)
    inmate.photo_thumbnail.save(thumbnail.name, thumbnail, save=False)
    inmate.save()
    sessions = make_sessions(program, 2)
    enrollment = enrol(program, sessions, "HH", inmate=inmate)
    enrol(program, sessions, "HA")
    close(program, admin_user)
    issue_certificates(
        program=program,
        by=admin_user,
        enrollments=[enrollment],
        issued_on=datetime.date(2025, 8, 8),
    )
    assert Certificate.objects.count() == 1
    return inmate


def backup():
    """Run `manage.py backup`; return the archive's path and what the command printed."""
    out = io.StringIO()
    call_command("backup", stdout=out)
    [archive] = Path(settings.BACKUP_DIR).iterdir()
    return archive, out.getvalue()


def manage(*args, database_url, media_root):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": "test-only-secret-key",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def table_counts(cursor, tables):
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def source_counts():
    with connection.cursor() as cursor:
        return table_counts(cursor, connection.introspection.table_names())


def media_bytes(root):
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in Path(root).rglob("*")
        if path.is_file()
    }


def rewrite_manifest(archive, target, **changes):
    """A copy of `archive` at `target` whose manifest has `changes`."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                data = json.dumps({**json.loads(data), **changes}).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def our_rows():
    return Inmate.objects.count(), Certificate.objects.count()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite round trip")
def test_backup_then_restore_round_trip_on_sqlite(seeded, tmp_path):
    archive, printed = backup()
    assert archive.name.endswith("-sqlite.tar.gz")
    assert f"Backup written to {archive}" in printed
    assert f"{archive.stat().st_size} bytes" in printed
    # It holds personal data: readable by its owner only.
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert manifest["engine"] == "sqlite"
    assert manifest["row_counts"]["inmates.inmate"] == 2
    assert manifest["row_counts"]["certificates.certificate"] == 1
    assert "0001_initial" in manifest["migrations"]["inmates"]
    assert {entry["path"] for entry in manifest["files"]} == {
        seeded.photo.name,
        seeded.photo_thumbnail.name,
    }

    database, media = tmp_path / "restored.sqlite3", tmp_path / "restored-media"
    url = f"sqlite:///{database}"
    # The documented way: a new database, migrated, then restored into.
    migrated = manage("migrate", "--noinput", database_url=url, media_root=media)
    assert migrated.returncode == 0, migrated.stderr
    restored = manage("restore", str(archive), database_url=url, media_root=media)

    assert restored.returncode == 0, restored.stderr
    assert "every count matches" in restored.stdout
    assert re.search(r"\n  inmates\.inmate +2 +2\n", restored.stdout)
    assert re.search(r"\n  certificates\.certificate +1 +1\n", restored.stdout)
    expected = source_counts()
    with sqlite3.connect(database) as copy:
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'"
            )
        ]
        assert table_counts(copy.cursor(), tables) == expected
        assert copy.execute("SELECT number FROM certificates_certificate").fetchone() == (
            "001/LPN.KSG/PK/VIII/2025",
        )
    assert media_bytes(media) == media_bytes(settings.MEDIA_ROOT)
    assert (media / seeded.photo.name).read_bytes() == seeded.photo.read()


@on_postgresql
def test_backup_then_restore_round_trip_on_postgresql(seeded, tmp_path):
    archive, printed = backup()
    assert archive.name.endswith("-postgresql.tar.gz")
    assert f"Backup written to {archive}" in printed
    params = connection.settings_dict
    target = f"{params['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    conninfo = {
        "dbname": target,
        "user": params["USER"],
        "password": params["PASSWORD"],
        "host": params["HOST"],
        "port": params["PORT"],
    }
    url = "postgres://{user}:{password}@{host}:{port}/{dbname}".format(
        **{key: quote(str(value), safe="") for key, value in conninfo.items()}
    )
    media = tmp_path / "restored-media"
    try:
        restored = manage("restore", str(archive), database_url=url, media_root=media)
        assert restored.returncode == 0, restored.stderr
        assert "every count matches" in restored.stdout
        with psycopg.connect(**conninfo) as copy, copy.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            tables = [row[0] for row in cursor.fetchall()]
            assert table_counts(cursor, tables) == source_counts()
        assert (media / seeded.photo.name).read_bytes() == seeded.photo.read()
        assert media_bytes(media) == media_bytes(settings.MEDIA_ROOT)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@on_postgresql
def test_backup_without_pg_dump_names_the_debian_package(db, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match=r"pg_dump was not found.*postgresql-client"):
        call_command("backup")
    assert not Path(settings.BACKUP_DIR).exists() or not any(Path(settings.BACKUP_DIR).iterdir())


def test_restore_refuses_a_non_empty_database(seeded):
    archive, _printed = backup()
    photo = seeded.photo.read()
    with pytest.raises(CommandError, match=r"The database is not empty .*new, empty database"):
        call_command("restore", str(archive))
    assert our_rows() == (2, 1)
    seeded.refresh_from_db()
    assert seeded.photo.read() == photo


def test_restore_refuses_a_non_empty_media_folder(db):
    archive, _printed = backup()
    left = Path(settings.MEDIA_ROOT) / "private" / "inmates" / "left-over.jpg"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"an earlier file")
    with pytest.raises(CommandError, match=r"The media folder .* is not empty"):
        call_command("restore", str(archive))
    assert media_bytes(settings.MEDIA_ROOT) == {"private/inmates/left-over.jpg": b"an earlier file"}


def test_restore_refuses_a_backup_of_the_other_engine(db, tmp_path):
    archive, _printed = backup()
    here = connection.vendor
    other = "postgresql" if here == "sqlite" else "sqlite"
    foreign = rewrite_manifest(archive, tmp_path / "foreign.tar.gz", engine=other)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(foreign))
    assert (
        f"This archive is a {ENGINE_NAMES[other]} backup: it restores only to a "
        f"{ENGINE_NAMES[other]} database, and this installation uses {ENGINE_NAMES[here]}"
    ) in str(refused.value)
    assert our_rows() == (0, 0)


def test_restore_refuses_a_backup_of_a_newer_version(db, tmp_path):
    archive, _printed = backup()
    newer = rewrite_manifest(
        archive, tmp_path / "newer.tar.gz", migrations={"inmates": ["9999_from_the_future"]}
    )
    with pytest.raises(CommandError, match=r"newer version .*inmates\.9999_from_the_future"):
        call_command("restore", str(newer))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "tampered"])
def test_restore_refuses_a_damaged_archive(db, tmp_path, damage):
    archive, _printed = backup()
    broken = tmp_path / "broken.tar.gz"
    if damage == "garbage":
        broken.write_bytes(b"PK\x03\x04 this is not a backup")
    elif damage == "truncated":
        broken.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    else:
        # The database's checksum no longer matches: a flipped bit on the USB disk.
        name = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[connection.vendor]
        rewrite_manifest(archive, broken, database={"name": name, "sha256": "0" * 64})
    with pytest.raises(CommandError, match=r"damaged"):
        call_command("restore", str(broken))
    assert our_rows() == (0, 0)
    assert media_bytes(settings.MEDIA_ROOT) == {}


def test_restore_refuses_a_missing_archive(db, tmp_path):
    with pytest.raises(CommandError, match=r"nothing\.tar\.gz does not exist"):
        call_command("restore", str(tmp_path / "nothing.tar.gz"))


def test_backup_leaves_out_the_stored_certificate_pdfs(seeded, client_for, admin_user):
    certificate = Certificate.objects.get()
    client_for(admin_user).get(reverse("certificate_documents:pdf", args=[certificate.pk]))
    [stored] = (settings.MEDIA_ROOT / "private" / "certificates").rglob("*.pdf")

    archive, _out = backup()

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    relative = stored.relative_to(settings.MEDIA_ROOT).as_posix()
    assert f"media/{seeded.photo.name}" in names
    assert f"media/{relative}" not in names
    assert relative not in [file["path"] for file in manifest["files"]]
