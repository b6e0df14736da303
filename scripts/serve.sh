#!/usr/bin/env bash
# `make run`'s server: the background worker (bulk certificate printing) beside Django's
# development server. Both stop together: Ctrl+C, or a signal to the process group.
set -euo pipefail
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

# No autoreload for the worker: a reload would cut a print short, and a stop must not leave
# a reloader's child behind.
"$PY" manage.py db_worker --no-reload --no-startup-delay &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Background worker started (pid $worker): bulk certificate printing works."
"$PY" manage.py runserver "$HOST:$PORT"
