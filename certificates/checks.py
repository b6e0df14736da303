"""System checks of the certificates app, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def credential_key_set(app_configs, **kwargs):
    """A server sets CREDENTIAL_KEY: derived from SECRET_KEY, the issuers' signing keys would be
    lost the day SECRET_KEY changes, and every credential signed after that from new keys."""
    if settings.CREDENTIAL_KEY:
        return []
    return [
        checks.Warning(
            "CREDENTIAL_KEY is not set: the issuers' credential signing keys are encrypted with "
            "a key derived from SECRET_KEY and cannot be opened once SECRET_KEY changes.",
            hint="Set CREDENTIAL_KEY to a long random secret and keep it with the backups.",
            id="certificates.W001",
        )
    ]
