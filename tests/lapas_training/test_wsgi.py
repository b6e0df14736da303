"""The WSGI application is ready before a worker's first request (lapas_training/wsgi.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: this test process has long since imported every view.
PROBE = """
import json, sys
import lapas_training.wsgi
from django.db import connections
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "connected": [c.alias for c in connections.all() if c.connection is not None],
    "views": sorted(name for name in sys.modules if name.endswith(".views.products")
                    or name.endswith(".views.marking") or name == "weasyprint"),
    "loader": type(loader).__name__,
    "templates": sorted({key.split("-")[0] for key in loader.get_template_cache}),
}))
"""


def test_a_booted_worker_has_imported_the_views_and_compiled_the_templates():
    environment = {**os.environ, "DEBUG": "0", "SECRET_KEY": "test-only-secret-key"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    state = json.loads(result.stdout.strip().splitlines()[-1])

    assert state["views"] == ["attendance.views.marking", "programs.views.products", "weasyprint"]
    assert state["loader"] == "Loader"
    # gunicorn forks its workers after this (preload_app): a connection opened here would be
    # one socket shared by every worker.
    assert state["connected"] == []
    for name in ("base.html", "attendance/mark.html", "inmates/inmate_list.html"):
        assert name in state["templates"]
