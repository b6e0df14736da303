"""`make run`'s server script: a port chosen by the user is that port or a clear refusal."""

import os
import socket
import subprocess
import sys
from pathlib import Path

SERVE = Path(__file__).resolve().parents[2] / "scripts" / "serve.sh"


def test_serve_refuses_a_busy_chosen_port_and_starts_nothing():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [str(SERVE)],
            env={**os.environ, "PY": sys.executable, "HOST": "127.0.0.1", "PORT": str(port)},
            cwd=SERVE.parents[1],
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"make run PORT={port + 1}" in result.stderr
    # Nothing was started: no worker, no address printed as if served.
    assert "worker" not in result.stdout
    assert "Open http" not in result.stdout
