"""Where media files live: this server's disk (MEDIA_ROOT), or an S3-compatible bucket.

Several app servers behind a load balancer need one set of files: MEDIA_STORAGE=s3 puts every
upload, scan, print and stored PDF in a bucket (settings.py reads S3_* from the environment;
README, "Object storage"). Code reaches files only through Django's storage API (a field's
file, `default_storage`), so it behaves the same on either.

The bucket is private like MEDIA_ROOT: objects are written with the private ACL, and no file has
an address a browser could open. Every file reaches a user through a view that checks access
first, as it does from the disk.
"""

import os
import tempfile

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

# What reading or writing a stored file may raise: the disk's errors, or the object store's
# (refused, unreachable) where the API does not turn them into OSError.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


class PrivateS3Storage(S3Storage):
    """The S3 backend with the settings a bucket of personal data needs, whatever OPTIONS say
    of anything else."""

    # Readable by the bucket's owner only: an object's own ACL never opens it to the world.
    default_acl = "private"
    # Two uploads of the same name keep both files (the second gets a new name), as on disk.
    file_overwrite = False
    # No signed URL: one would open the file to whoever holds the link, past the app's checks.
    querystring_auth = False
    # A file read from the bucket is downloaded whole before it is served; past this size to a
    # temporary file, not the worker's memory (a bulk print of a big program is tens of MB).
    max_memory_size = 8 * 1024 * 1024

    def url(self, name, parameters=None, expire=None, http_method=None):
        """A file's address under MEDIA_URL, which no route serves: the disk storage's answer.

        Never the bucket's address: pages (the admin's "Currently:" link) name no bucket, and
        a file reaches a browser only through a view that checks access.
        """
        return settings.MEDIA_URL + filepath_to_uri(name)


def save_replacing(storage, name, content):
    """Store the bytes `content` under exactly `name`, replacing the file there if any.

    For files the app makes again when asked (stored PDFs), whose name says what they hold.
    A reader meanwhile gets the old file or the new one whole, never half of one: on disk the
    bytes go to a temporary file renamed over the name, readable by the app's user only (0600);
    an object store replaces an object whole at each write.
    """
    if isinstance(storage, FileSystemStorage):
        path = storage.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # Hidden and without the name's extension: a listing of the directory never takes it
        # for a stored file.
        with tempfile.NamedTemporaryFile(
            dir=os.path.dirname(path), prefix=".", delete=False
        ) as file:
            file.write(content)
        try:
            os.replace(file.name, path)
        except OSError:
            os.unlink(file.name)
            raise
        return
    # Storage.save would pick another name when this one exists (file_overwrite is off so that
    # uploads never replace each other); the backend's own write keeps the name.
    storage._save(name, ContentFile(content))


def walk(storage, directory=""):
    """Every file's name under `directory` of `storage`, depth first; none if it is missing."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for file_name in sorted(files):
        yield f"{directory}/{file_name}" if directory else file_name
    for child in sorted(directories):
        yield from walk(storage, f"{directory}/{child}" if directory else child)


def delete_tree(storage, directory):
    """Delete every file under `directory` of `storage`; return how many there were.

    On disk the emptied directories go too; an object store has none to delete.
    """
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return 0
    for file_name in files:
        storage.delete(f"{directory}/{file_name}")
    deleted = len(files) + sum(
        delete_tree(storage, f"{directory}/{child}") for child in directories
    )
    if isinstance(storage, FileSystemStorage):
        storage.delete(directory)
    return deleted


def media_location(storage):
    """Where `storage` keeps its files, for an operator: a folder, or s3://bucket/prefix."""
    if isinstance(storage, FileSystemStorage):
        return str(storage.location)
    return f"s3://{storage.bucket_name}/{storage.location}".rstrip("/")
