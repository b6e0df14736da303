"""`manage.py check --deploy` warns a server that signs credentials without CREDENTIAL_KEY."""

from certificates.checks import credential_key_set


def test_deploy_check_warns_without_a_credential_key(settings):
    settings.CREDENTIAL_KEY = ""

    [warning] = credential_key_set(None)

    assert warning.id == "certificates.W001"
    assert "SECRET_KEY" in warning.msg


def test_deploy_check_is_quiet_with_a_credential_key(settings):
    settings.CREDENTIAL_KEY = "a-long-random-secret-kept-with-the-backups"

    assert credential_key_set(None) == []
