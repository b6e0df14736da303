"""Backups: one archive holding the database, the media files and a manifest; and its restore.

The archive (`lapas-training-<date>-<time>-<engine>.tar.gz`) holds `database.sqlite3` (SQLite's
online backup API) or `database.pgdump` (`pg_dump --format=custom`), every media file as
`media/<path>` (but the stored PDFs, made again on demand), and last `manifest.json`: the app's
version, the applied migrations per app, the engine, when it was made, the row count of every
model and the sha256 of every file. The counts are taken from the same snapshot as the dump, so a
restore can check them exactly. Media files are read and restored through the storage API: from
and to MEDIA_ROOT, or the bucket with MEDIA_STORAGE=s3 (README, "Object storage").

A restore goes only into an empty database and an empty media folder (or bucket prefix): it
never merges with or overwrites data someone may still need. Both commands raise `BackupError`
with a message for the operator; nothing is changed when a restore refuses.
"""

import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from lapas_training.storage import media_location, walk

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA_PREFIX = "media/"
# Media folders of files the app makes again when asked (certificates.pdf_cache's and
# lapas_training.reports.pdf_store's stored PDFs): a backup is whole without them and at
# national scale gigabytes smaller, and the app may replace or delete them while it runs.
DERIVED_MEDIA = ("private/certificates/", "private/reports/")
# The apps whose rows make a database "not empty": ours. Django's own tables (content types,
# permissions, migrations) are filled by `migrate` and replaced by the restore.
OUR_APPS = ("lapas_training", "programs", "inmates", "attendance", "certificates")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why to the operator."""


def engine():
    """`sqlite` or `postgresql`: the vendor of the default database."""
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def create_backup(backup_dir=None):
    """Write one archive of the database and the media files into `backup_dir`; return its path.

    Safe while the app runs: the database is read from one consistent snapshot. The archive is
    written under a temporary name and renamed when complete, readable by its owner only (it holds
    personal data). Costs one query per model for the row counts.
    """
    vendor = engine()
    backup_dir = Path(backup_dir or settings.BACKUP_DIR)
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = backup_dir / f"lapas-training-{stamp}-{vendor}.tar.gz"
    if path.exists():
        raise BackupError(f"{path} already exists; wait a second and run the backup again.")
    with tempfile.TemporaryDirectory(dir=backup_dir, prefix=".backup-") as work:
        database_file = Path(work) / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            counts = _dump_sqlite(database_file)
        else:
            counts = _dump_postgresql(database_file)
        partial = Path(work) / path.name
        manifest = {
            "format": FORMAT,
            "app_version": _app_version(),
            "engine": vendor,
            "created_at": timezone.now().isoformat(),
            "migrations": _applied_migrations(),
            "row_counts": counts,
            "database": {"name": database_file.name, "sha256": _sha256(database_file)},
        }
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(database_file, arcname=database_file.name)
            manifest["files"] = _add_media(archive)
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)
        partial.rename(path)
    return path


def _dump_sqlite(target):
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent snapshot even while others write.
        connection.connection.backup(destination)
        return _row_counts(destination.cursor())
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy the database: {error}") from error
    finally:
        destination.close()


def _dump_postgresql(target):
    pg_dump = _client_tool("pg_dump")
    # The counts and the dump read the same exported snapshot: they agree to the row.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _row_counts(cursor)
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            "pg_dump",
        )
    return counts


def _client_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools "
            "(Debian: sudo apt-get install postgresql-client), in the version of the server."
        )
    return path


def _run(command, name):
    """Run a PostgreSQL client tool on the default database; the password goes by environment."""
    params = connection.settings_dict
    env = {**os.environ, "PGDATABASE": params["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if params.get(key):
            env[variable] = str(params[key])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    if params.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = params["OPTIONS"]["sslmode"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{name} failed:\n{result.stderr.strip()}")


def _models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _row_counts(cursor):
    """Rows per model label, counted through `cursor` (Django's or a sqlite3 one)."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if isinstance(cursor, sqlite3.Cursor)
        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    )
    tables = {row[0] for row in cursor.fetchall()}
    counts = {}
    for model in _models():
        if model._meta.db_table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')
            counts[model._meta.label_lower] = cursor.fetchone()[0]
    return counts


def _applied_migrations():
    applied = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _app_version():
    try:
        return importlib.metadata.version("lapas-training")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file for tarfile and hashes exactly the bytes it hands over."""

    def __init__(self, file):
        self._file = file
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        block = self._file.read(size)
        self.digest.update(block)
        return block


def _add_media(archive):
    """Add every media file but DERIVED_MEDIA; return their paths, sizes and sha256 as archived.

    Read through the storage API, so a bucket's objects are archived as a folder's files are.
    """
    files = []
    for name in walk(default_storage):
        if name.startswith(DERIVED_MEDIA):
            continue
        with default_storage.open(name, "rb") as file:
            info = tarfile.TarInfo(MEDIA_PREFIX + name)
            # The size of what this open file holds, even if the app replaces the name meanwhile.
            file.seek(0, os.SEEK_END)
            info.size = file.tell()
            file.seek(0)
            info.mtime = int(default_storage.get_modified_time(name).timestamp())
            info.mode = 0o600
            # Hashed as tarfile reads it: the sum is of the bytes in the archive.
            reader = _HashingReader(file)
            archive.addfile(info, reader)
        files.append({"path": name, "size": info.size, "sha256": reader.digest.hexdigest()})
    return files


def restore_backup(archive_path):
    """Restore an archive of `create_backup` into the empty database and media folder.

    Refuses (BackupError, nothing changed) a missing or damaged archive, one of the other engine
    or of migrations this code does not know, and a target that holds data. Returns the list of
    `(model label, rows in the archive, rows restored)`; raises BackupError when they differ.
    """
    vendor = engine()
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} does not exist or is not a file.")
    _check_empty_target()
    with tempfile.TemporaryDirectory(prefix="lapas-restore-") as work:
        work = Path(work)
        manifest = _extract(archive_path, work)
        if manifest["engine"] != vendor:
            made, here = ENGINE_NAMES[manifest["engine"]], ENGINE_NAMES[vendor]
            raise BackupError(
                f"This archive is a {made} backup: it restores only to a {made} database, "
                f"and this installation uses {here} (DATABASE_URL)."
            )
        _check_migrations(manifest["migrations"])
        _check_files(manifest, work)
        database_file = work / manifest["database"]["name"]
        if vendor == "sqlite":
            _load_sqlite(database_file)
        else:
            _load_postgresql(database_file)
        for entry in manifest["files"]:
            with open(work / "media" / entry["path"], "rb") as file:
                saved = default_storage.save(entry["path"], File(file))
            # The target was empty: every file keeps the name the database gives it.
            if saved != entry["path"]:
                raise BackupError(f"{entry['path']} was restored as {saved}: restore again.")
    return _compare_counts(manifest["row_counts"])


def _check_empty_target():
    tables = set(connection.introspection.table_names())
    filled = [
        model._meta.label
        for model in _models()
        if model._meta.app_label in OUR_APPS
        and model._meta.db_table in tables
        and model._default_manager.using(connection.alias).exists()
    ]
    if filled:
        raise BackupError(
            "The database is not empty (it holds rows of "
            + ", ".join(filled[:5])
            + (", ..." if len(filled) > 5 else "")
            + "). Restore only into a new, empty database: set DATABASE_URL to one."
        )
    if next(walk(default_storage), None) is not None:
        raise BackupError(
            f"The media folder {media_location(default_storage)} is not empty. Restore only "
            "into an empty one: set MEDIA_ROOT (or S3_PREFIX) to a new folder or move its files "
            "away."
        )


def _extract(archive_path, work):
    """Extract the archive's known members into `work`; return the manifest."""
    damaged = (
        f"{archive_path} is not an archive of `manage.py backup`, or it is damaged "
        "(incomplete copy?)."
    )
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive:
                name = PurePosixPath(member.name)
                known = member.name in (MANIFEST, *DATABASE_FILES.values()) or (
                    member.name.startswith(MEDIA_PREFIX) and ".." not in name.parts
                )
                if not (member.isfile() and known):
                    raise BackupError(f"{damaged} It holds an unexpected entry: {member.name}")
                # The "data" filter refuses absolute paths, links and device files as well.
                archive.extract(member, work, filter="data")
        manifest = json.loads((work / MANIFEST).read_text())
        if manifest.get("format") != FORMAT or manifest.get("engine") not in DATABASE_FILES:
            raise BackupError(damaged)
        return manifest
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError, KeyError) as error:
        raise BackupError(damaged) from error


def _check_migrations(archived):
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app_label}.{name}"
        for app_label, names in archived.items()
        for name in names
        if (app_label, name) not in known
    ]
    if unknown:
        raise BackupError(
            "The archive comes from a newer version of the application (migrations unknown "
            "here: " + ", ".join(unknown[:5]) + "). Update the application, then restore."
        )


def _check_files(manifest, work):
    expected = [(manifest["database"]["name"], manifest["database"]["sha256"])] + [
        ("media/" + entry["path"], entry["sha256"]) for entry in manifest["files"]
    ]
    for name, sha256 in expected:
        path = work / name
        if not path.is_file() or _sha256(path) != sha256:
            raise BackupError(
                f"The archive is damaged: {name} is missing or does not match its checksum."
            )


def _load_sqlite(database_file):
    source = sqlite3.connect(database_file)
    try:
        connection.ensure_connection()
        # Replaces the whole configured database, schema and all, in one write transaction:
        # a failure leaves it as it was.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not load the database: {error}") from error
    finally:
        source.close()


def _load_postgresql(database_file):
    pg_restore = _client_tool("pg_restore")
    # One transaction: a failure leaves the database as it was. Objects belong to the role we
    # connect as, whatever role owned them on the machine the backup came from.
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(database_file),
        ],
        "pg_restore",
    )
    # The restore replaced the tables under our connection.
    connection.close()


def _compare_counts(expected):
    tables = set(connection.introspection.table_names())
    models = {model._meta.label_lower: model for model in _models()}
    rows = []
    for label, count in sorted(expected.items()):
        model = models.get(label)
        if model is None:
            # An app installed where the backup was made but not here: its table came back,
            # nothing here can count it through a model.
            continue
        restored = (
            model._default_manager.using(connection.alias).count()
            if model._meta.db_table in tables
            else 0
        )
        rows.append((label, count, restored))
    return rows
