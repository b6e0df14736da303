"""Settings, read from environment variables.

Production fails closed: DEBUG is off unless DEBUG=1, and without DEBUG a SECRET_KEY must be set.
`make run` sets DEBUG=1 for the laptop install; a server sets SECRET_KEY, DATABASE_URL and
ALLOWED_HOSTS (see README).
"""

import datetime
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-for-DEBUG"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The second factor at login (lapas_training/two_factor.py): authenticator apps and
    # one-time backup codes (under translated names).
    "django_otp",
    "lapas_training.apps.AuthenticatorAppsConfig",
    "lapas_training.apps.BackupCodesConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    # For its system check of the CONTENT_SECURITY_POLICY setting.
    "csp",
    "django_tasks",
    # django-axes (failed-login counting and lockout, see AXES_* below) under a translated name.
    "lapas_training.apps.LoginLockoutConfig",
    # django_tasks_db under a translated name.
    "lapas_training.apps.BackgroundTasksConfig",
    "lapas_training",
    "programs",
    "inmates",
    "attendance",
    "certificates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "lapas_training.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # Instead of Django's LocaleMiddleware, which would follow the browser's language.
    "lapas_training.middleware.LanguageMiddleware",
    "lapas_training.middleware.ActiveFacilityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After authentication (it reads request.user) and messages (it leaves one for the login page).
    "lapas_training.middleware.IdleTimeoutMiddleware",
    # After OTPMiddleware and the idle timeout: an unverified session meets the second step.
    "lapas_training.two_factor.TwoFactorMiddleware",
    # An integer too large for the database, sent by a client: our 400 page, not a 500.
    "lapas_training.middleware.OutOfRangeInputMiddleware",
    # Last, as axes asks: it turns a refused login into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lapas_training.urls"
WSGI_APPLICATION = "lapas_training.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lapas_training.context_processors.navigation",
                "lapas_training.two_factor.context",
            ],
        },
    },
]

# SQLite on a laptop; DATABASE_URL (postgres://user:pass@host/db) for a server.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections: without them PostgreSQL pages were 3.7x slower here.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One laptop, a few concurrent tablets and the print worker, all writing one file.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while a trainer saves; NORMAL syncs at checkpoints, not at
        # every commit (a power cut may lose the last commits, never corrupt the file).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        # Take the write lock when the transaction begins, where SQLite waits for it (the
        # timeout below). A transaction that read first and writes later fails at once with
        # "database is locked" if another writes meanwhile: SQLite does not wait there.
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for another's transaction (Python's default, 5, failed a bulk
        # print's progress update behind a long certificate issue). Transactions stay short
        # (certificates.services); this covers a slow disk or a busy laptop.
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Optional: a read replica of the primary that the report pages read from
# (lapas_training/db_router.py; README, "How it grows").
if os.environ.get("REPORTS_DATABASE_URL"):
    DATABASES["reports"] = dj_database_url.parse(
        os.environ["REPORTS_DATABASE_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        # Under the test runner it is the test database itself, not one more to create.
        test_options={"MIRROR": "default"},
    )
DATABASE_ROUTERS = ["lapas_training.db_router.ReportsReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "lapas_training.User"
# Axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lapas_training.backends.RolePermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# New passwords (the security review, #10): at least 12 characters, not a common password in
# English or Indonesian (digits and punctuation stripped first), not like the user's names, email
# or facility.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "lapas_training.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "lapas_training.passwords.CommonWordPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout after failed logins (django-axes). A username tried from one address is locked after
# LOGIN_FAILURE_LIMIT failures; the address itself, whatever usernames it tries, after
# LOGIN_FAILURE_LIMIT_PER_ADDRESS (higher: a prison's office shares one address, and one
# officer's typos must not lock their colleagues out). Both end LOGIN_COOLOFF_MINUTES after the
# last failure; an admin can unlock earlier (README, "Accounts and login").
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "30"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "lapas_training.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "lapas_training.lockout.lockout_response"
# The client's address by the verification page's rule: X-Real-IP only from TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "certificates.ratelimit.client_ip"
# Attempts while locked out are refused without being counted, so the time the lockout page
# names stays true (otherwise every refused try would push it back).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# The second factor (security review, #10): an authenticator app's code (or a backup code) after
# the password, required for these roles ("superuser" for is_superuser) and open to the others
# from their profile. TWO_FACTOR_REQUIRED=0 lifts the requirement (the demo of `make run` does,
# and says so on the login page); production keeps it unless told otherwise. Users who enrolled
# are asked for their code either way.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=True)
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES", "admin,superuser")
_unknown_roles = set(TWO_FACTOR_ROLES) - {"admin", "staff", "trainer", "viewer", "superuser"}
if _unknown_roles:
    raise ImproperlyConfigured(f"TWO_FACTOR_ROLES: unknown roles {sorted(_unknown_roles)}")
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Lapas Training"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date formats: "4 Agustus 2025", not Django's abbreviated "4 Agu 2025".
FORMAT_MODULE_PATH = ["lapas_training.formats"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
# `manage.py backup` writes its archives here (they hold personal data: owner-only files).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))
# Media on this server's disk under MEDIA_ROOT, or with MEDIA_STORAGE=s3 in a private bucket of
# S3-compatible object storage that several app servers share (lapas_training/storage.py; README,
# "Object storage"). Without S3_ACCESS_KEY_ID boto3 finds credentials its own way (an instance
# role, AWS_* variables).
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "").strip().lower() or "local"
if MEDIA_STORAGE == "s3":
    if not os.environ.get("S3_BUCKET", "").strip():
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs S3_BUCKET, the name of the bucket that holds the media files."
        )
    MEDIA_STORAGE_BACKEND = {
        "BACKEND": "lapas_training.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"].strip(),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            # A bucket may hold other things: ours sit under this prefix.
            "location": os.environ.get("S3_PREFIX", "media").strip("/"),
        },
    }
elif MEDIA_STORAGE == "local":
    MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE: {MEDIA_STORAGE!r} is neither 'local' nor 's3'.")
STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Django's form renderer with its simplest widgets (inputs, selects, textareas) written in
# Python: the same markup at a fraction of the cost (lapas_training/form_renderer.py).
FORM_RENDERER = "lapas_training.form_renderer.FastWidgetRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Cookies travel only over HTTPS unless the install says otherwise (an intranet without TLS
# sets SECURE_COOKIES=0); DEBUG (the laptop's `make run`) serves plain HTTP on loopback.
SECURE_COOKIES = env_bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
# Beside that absolute limit, a session unused this many seconds ends at its next request.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind our own reverse proxy (nginx): trust its X-Forwarded-Proto header.
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# X-Real-IP (the client's address for the verification page's rate limit) is believed only from
# these addresses or networks, the proxy's own: anyone else could send it. Without the list,
# BEHIND_PROXY=1 keeps its old meaning of a proxy on the same machine.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES") or (["127.0.0.1", "::1"] if BEHIND_PROXY else [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
# A monitor on the server itself may ask gunicorn for /health/ over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
# Once HSTS is on, subdomains and the browsers' preload list follow unless the install opts out
# (a sibling host still on plain HTTP would become unreachable).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0
)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)

# Scripts only from our own static files: no inline script, no on*= attribute, no eval. Styles
# also allow 'unsafe-inline': templates carry style="" attributes (computed widths of progress
# bars and signature columns) and the standalone pages (500, PDF sheets) their own <style>;
# an injected style cannot run code. QR codes and the 500 page's favicon are data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# Browser features the app never uses, refused to the page and anything it could embed.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), midi=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()"
)

# A trainer may change a session's attendance until this many days after it; later only staff
# and admins, with a reason.
ATTENDANCE_LOCK_DAYS = int(os.environ.get("ATTENDANCE_LOCK_DAYS", "3"))

# Partners whose agreement ends within this many days are flagged on the dashboard.
AGREEMENT_EXPIRY_WARNING_DAYS = int(os.environ.get("AGREEMENT_EXPIRY_WARNING_DAYS", "60"))

# Released inmates' photos and identifying fields are anonymised this many years after the
# release by `manage.py anonymise_released` (UU 27/2022: keep personal data no longer than needed).
PERSONAL_DATA_RETENTION_YEARS = int(os.environ.get("PERSONAL_DATA_RETENTION_YEARS", "5"))

# Audit events (the "Log audit" page) older than this many days are deleted by
# `manage.py prune_audit`; two years by default, long enough for a yearly inspection.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "730"))

# Inmate portraits: larger uploads are refused before Pillow reads them, and images whose header
# claims more pixels are refused before they are decoded (a small file can claim gigapixels).
PHOTO_MAX_UPLOAD_BYTES = int(os.environ.get("PHOTO_MAX_UPLOAD_BYTES", str(8 * 1024 * 1024)))
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", "40000000"))

# How a program's product sales are split, in percent, unless the program sets its own
# (programs.RevenueSplit): the makers' premium (premi), the selling partner's share and the
# state's non-tax revenue (PNBP), as "premium,partner,pnbp". The three must add up to 100.
try:
    PRODUCT_REVENUE_SPLIT = dict(
        zip(
            ("premium", "partner", "pnbp"),
            (int(part) for part in os.environ.get("PRODUCT_REVENUE_SPLIT", "40,20,40").split(",")),
            strict=True,
        )
    )
except ValueError:
    PRODUCT_REVENUE_SPLIT = {}
if sum(PRODUCT_REVENUE_SPLIT.values()) != 100 or min(PRODUCT_REVENUE_SPLIT.values()) < 0:
    raise ImproperlyConfigured(
        "PRODUCT_REVENUE_SPLIT: three whole percentages, none negative, adding up to 100"
    )

# Inmate imports (CSV / XLSX): larger files and files with more data rows are refused whole.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))

# Absolute base of the verification URL in certificate QR codes when no request gives one
# (background rendering); set it to the address employers can reach.
# Background tasks (bulk certificate printing) wait in the database for `manage.py db_worker`,
# which `make run` starts beside the web server: no broker to install in a prison's intranet.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /health/ (lapas_training/health.py) fails when a task ready to run waited longer than this (no
# worker takes tasks), or when MEDIA_ROOT's or BACKUP_DIR's disk has less than this free.
HEALTH_TASK_WAIT_MINUTES = int(os.environ.get("HEALTH_TASK_WAIT_MINUTES", "15"))
HEALTH_MIN_FREE_MB = int(os.environ.get("HEALTH_MIN_FREE_MB", "1024"))
# Bulk printing renders in parts of this many certificates, each in one of this many processes
# (by default one per core, at most 4): memory stays that of a few parts whatever the count.
CERTIFICATE_PRINT_CHUNK = int(os.environ.get("CERTIFICATE_PRINT_CHUNK", "25"))
CERTIFICATE_PRINT_PROCESSES = int(
    os.environ.get("CERTIFICATE_PRINT_PROCESSES", str(min(os.cpu_count() or 1, 4)))
)
# A bulk print's file names every holder: it is deleted this many days after it was ready
# (`manage.py prune_prints`, also run at the start of every bulk print).
CERTIFICATE_PRINT_KEEP_DAYS = int(os.environ.get("CERTIFICATE_PRINT_KEEP_DAYS", "7"))
# A stored report PDF (lapas_training.reports.pdf_store) is deleted this many days after it was
# written by `manage.py prune_report_pdfs`; asked for again, it is rendered anew.
REPORT_PDF_KEEP_DAYS = int(os.environ.get("REPORT_PDF_KEEP_DAYS", "30"))

PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Each issuer's credential signing key (certificates.credentials, #14) is stored encrypted with
# this secret. Unset, it derives from SECRET_KEY, and a changed SECRET_KEY would then lose every
# issuer's key: a server sets its own (`manage.py check --deploy` warns until it does) and keeps
# it with the database backups, which cannot sign again without it.
CREDENTIAL_KEY = os.environ.get("CREDENTIAL_KEY", "")

# The public verification page: at most N lookups per client IP in S seconds ("N/S").
VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30/600")

# In the database, shared by every gunicorn worker so the verification rate limit holds across
# them, with no cache server to run. `migrate` creates the table (lapas_training migration 0006).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "lapas_cache",
        # Room for every client counted in a rate-limit window: past the limit Django evicts a
        # third of the entries, counters with them.
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step of every PDF at INFO, pikepdf its start.
    "loggers": {"weasyprint": {"level": "WARNING"}, "pikepdf": {"level": "WARNING"}},
}
