"""The WSGI application gunicorn serves (deploy/gunicorn.conf.py), ready before its first request.

Django imports the URLconf, and with it every view and what they import (WeasyPrint, openpyxl,
the PDF and report code), only when the first request arrives, and compiles each template the
first time it is used: about a second and a half here, paid by whoever a fresh gunicorn worker
serves first. Workers are replaced every `max_requests`, so under load that was a request of 2-3 s
every few hundred (the CI load test's p99). Doing it here moves that time off the request path;
gunicorn loads this module once in its master (`preload_app`, deploy/gunicorn.conf.py) and forks
warm workers from it, so nothing here may open a database connection.
"""

import os
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.template.loader import get_template

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapas_training.settings")
application = get_wsgi_application()


def warm_up():
    """Import every view through the URLconf and compile the project's templates (kept by
    Django's cached template loader when DEBUG is off). No database query."""
    # The URLconf's include()s import each app's urls, and those their views.
    import_module(settings.ROOT_URLCONF)
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(folder).rglob("*.html"):
            get_template(path.relative_to(folder).as_posix())


warm_up()
