#!/usr/bin/env bash
# `make run`'s server: the background worker (bulk certificate printing) beside Django's
# development server. Both stop together: Ctrl+C, or a signal to the process group.
#
# PORT unset: the first free port from 8000 on (another program often holds 8000). PORT set:
# that port, or a clear refusal when it is taken, since whoever chose it expects that address.
# Either way the address printed last is the one served.
set -euo pipefail
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
FIRST_PORT=8000
TRIES=20

# Whether HOST:$1 can be listened on now. SO_REUSEADDR as the development server sets it, so a
# port left in TIME_WAIT by the last run counts as free, as it is for the server.
port_free() {
  "$PY" - "$HOST" "$1" <<'PYTHON'
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
with socket.socket(family, kind, proto) as probe:
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind(address)
    except OSError:
        sys.exit(1)
PYTHON
}

if [ -n "${PORT:-}" ]; then
  if ! port_free "$PORT"; then
    echo "Port $PORT on $HOST is already in use (or not allowed); nothing was started." >&2
    echo "Stop what uses it, or choose another port: make run PORT=$((PORT + 1))" >&2
    exit 1
  fi
else
  PORT=$FIRST_PORT
  until port_free "$PORT"; do
    if [ "$PORT" -ge $((FIRST_PORT + TRIES - 1)) ]; then
      echo "Ports $FIRST_PORT to $PORT on $HOST are all in use; choose one: make run PORT=..." >&2
      exit 1
    fi
    echo "Port $PORT is in use; trying $((PORT + 1))."
    PORT=$((PORT + 1))
  done
fi

case "$HOST" in
  0.0.0.0 | "::") url="http://127.0.0.1:$PORT/" ;;
  *:*) url="http://[$HOST]:$PORT/" ;;
  *) url="http://$HOST:$PORT/" ;;
esac
# Certificates printed by the worker have no request to take the address from: their QR codes
# must point to the server that really answers.
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-${url%/}}

# No autoreload for the worker: a reload would cut a print short, and a stop must not leave
# a reloader's child behind.
"$PY" manage.py db_worker --no-reload --no-startup-delay &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Background worker started (pid $worker): bulk certificate printing works."
echo
echo "  Open $url in a browser (Ctrl+C stops the server and the worker)."
echo
"$PY" manage.py runserver "$HOST:$PORT"
