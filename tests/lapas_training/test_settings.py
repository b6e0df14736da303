"""Production settings fail closed. Each case imports the settings in a fresh interpreter."""

import os
import subprocess
import sys

import pytest

PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
    "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['CONN_MAX_AGE'])"
)


def load_settings(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env={**base, "DJANGO_SETTINGS_MODULE": "lapas_training.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_refuse_to_start_without_secret_key():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_production_defaults_are_safe():
    result = load_settings(SECRET_KEY="k")
    assert result.stdout.split()[:3] == ["False", "True", "True"]


def test_settings_debug_only_when_asked():
    result = load_settings(DEBUG="1")
    assert result.stdout.split()[:3] == ["True", "False", "False"]


@pytest.mark.parametrize(
    ("url", "engine", "conn_max_age"),
    [
        ("", "django.db.backends.sqlite3", "0"),
        ("postgres://u:p@127.0.0.1/db", "django.db.backends.postgresql", "60"),
    ],
)
def test_settings_database_url_switches_engine(url, engine, conn_max_age):
    result = load_settings(SECRET_KEY="k", DATABASE_URL=url)
    assert result.stdout.split()[3:] == [engine, conn_max_age]


@pytest.mark.parametrize("split", ["50,30,30", "40,20", "40,-20,80", "empat puluh"])
def test_settings_refuse_a_product_revenue_split_not_adding_up(split):
    result = load_settings(SECRET_KEY="k", PRODUCT_REVENUE_SPLIT=split)
    assert result.returncode != 0
    assert "PRODUCT_REVENUE_SPLIT" in result.stderr


def test_settings_read_the_product_revenue_split():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.PRODUCT_REVENUE_SPLIT)",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lapas_training.settings",
            "SECRET_KEY": "k",
            "PRODUCT_REVENUE_SPLIT": "50,30,20",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "{'premium': 50, 'partner': 30, 'pnbp': 20}"
