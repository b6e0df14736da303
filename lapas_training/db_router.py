"""Report pages read from a PostgreSQL read replica when one is configured.

`REPORTS_DATABASE_URL` (settings) adds the database alias "reports": a streaming replica of the
primary. The report pages (dashboard, periodic report, roll-up, SPPN, activity report, news
item) are the heaviest reads in a national install and need no row written a second ago, so
`@reads_from_replica` runs such a view with its reads on "reports", leaving the primary to the
officers who mark attendance and issue certificates. Everything else, and every write
anywhere, uses "default". Without the setting the router changes nothing.

A report may then lag the primary by the replica's replay delay (`pg_stat_replication`).
"""

from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPORTS_DB_ALIAS = "reports"

# Set while a report view runs. A context variable, not a thread-local: each request (thread or
# asyncio task) sees only its own.
_reading_reports = ContextVar("reading_reports", default=False)


def reads_from_replica(view):
    """Run `view` with its reads on the "reports" database, when it is configured.

    Put it right above the `def`, below the access decorators: who the user is and what they
    may see is read from the primary, so a role changed a second ago counts at once.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = _reading_reports.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _reading_reports.reset(token)

    return wrapper


class ReportsReplicaRouter:
    """Reads of a `@reads_from_replica` view go to "reports"; writes always to "default"."""

    def db_for_read(self, model, **hints):
        if _reading_reports.get() and REPORTS_DB_ALIAS in settings.DATABASES:
            return REPORTS_DB_ALIAS
        # None: Django's own choice (the instance's database, else "default").
        return None

    def db_for_write(self, model, **hints):
        # Said outright: left to Django, a row read from the replica would be saved back to it.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: a facility read from one is the other's.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPORTS_DB_ALIAS}:
            return True
        return None

    def allow_migrate(self, db, app_label, **hints):
        # A replica copies the primary's schema; migrating it would fail (it is read-only).
        if db == REPORTS_DB_ALIAS:
            return False
        return None
