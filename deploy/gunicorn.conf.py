"""gunicorn's settings for lapas-training.service (and scripts/ci-stack.sh, which runs the same).

Loopback TCP, not a unix socket: the app believes X-Real-IP only from TRUSTED_PROXIES, which
are addresses (127.0.0.1 by default), and a unix socket gives gunicorn no peer address.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Synchronous workers, the usual 2 per core + 1: pages wait on the database, not the CPU.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count() + 1)))
# A register export or a first certificate render takes seconds; nginx waits 90 s.
timeout = 60
graceful_timeout = 30
# WeasyPrint's memory goes back to Python, not always to the system: a worker is replaced now
# and then (jitter, so they are not all replaced at once).
max_requests = 1000
max_requests_jitter = 100
# Workers are forked from a master that has loaded the app and warmed it (lapas_training/wsgi.py):
# a replacement starts in milliseconds. Each one loading the app itself took about 2 s of CPU,
# and replacements falling close together under load stalled requests on the others for seconds
# (CI load test: p99 1.4-3.5 s without, 0.24-0.27 s with). The app opens no database
# connection while it loads, so no worker inherits one (tests/lapas_training/test_wsgi.py).
# New code needs `systemctl restart`: a reload (HUP) forks the code the master already holds.
preload_app = True
accesslog = "-"
errorlog = "-"
# Django reads X-Forwarded-Proto itself (BEHIND_PROXY), from nginx on this machine only.
forwarded_allow_ips = "127.0.0.1"
