"""The app server as the deployment runs it, watched from outside: the project folder
mounted read-only for it (a private mount namespace, nothing changes for anyone else) and
its own attempts to reach beyond the machine recorded (``tests/helpers/egress``)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.net import free_port, wait_healthy
from tests.helpers.servers import Replica

EGRESS_SHIM = Path(__file__).with_name("egress")
# Mount ``$0`` read-only over itself in a mount namespace of its own, then run the command.
_READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def read_only(folder: Path, command: list[str]) -> list[str]:
    """``command`` with ``folder`` read-only for it (and its children) alone."""
    unshare = ["unshare", "--mount", "--propagation", "private"]
    if os.geteuid() != 0:  # an unprivileged user may still have user namespaces
        unshare.insert(1, "--map-root-user")
    return [*unshare, "--", "sh", "-c", _READ_ONLY, str(folder), *command]


@functools.cache
def read_only_missing(probe: Path) -> str | None:
    """Why a read-only mount cannot be made here, or None when it can (tried on ``probe``,
    a scratch folder: writing into it must then fail)."""
    if not shutil.which("unshare"):
        return "unshare (util-linux) is not installed"
    probe.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(read_only(probe, ["touch", str(probe / "written")]),
                          capture_output=True, text=True)
    if (probe / "written").exists():
        return "the read-only mount did not hold"
    if "Read-only file system" not in done.stderr:
        return f"no private read-only mount here: {done.stderr.strip()[-200:]}"
    return None


@dataclass
class Watched(Replica):
    store: Path
    egress_log: Path

    def egress(self) -> list[dict]:
        """Every recorded attempt to reach beyond the machine (server and its children)."""
        assert self.egress_log.exists(), "the watch was not installed in the server"
        return [json.loads(line) for line in self.egress_log.read_text().splitlines()]


def start_watched(root: Path, store: Path, log: Path, env: dict[str, str]) -> Watched:
    """``python -m server`` bound to all addresses as deploy/Dockerfile starts it, with
    ``root`` (the project) read-only and its network attempts recorded (next to ``store``,
    which must lie outside ``root``)."""
    port = free_port()
    egress_log = store.parent / "egress.jsonl"
    egress_log.unlink(missing_ok=True)
    full_env = {**os.environ, **env, "GEODATA_DIR": str(store), "EGRESS_LOG": str(egress_log),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(EGRESS_SHIM),
                                                            os.environ.get("PYTHONPATH")]))}
    full_env.pop("GEODATA_OFFLINE", None)
    command = [sys.executable, "-m", "server", "--server.port", str(port),
               "--server.address", "0.0.0.0"]
    proc = subprocess.Popen(read_only(root, command), cwd=root, env=full_env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    watched = Watched(port, proc, log, store, egress_log)
    try:
        wait_healthy(watched.url, proc, timeout=90, what=f"read-only server (log {log})")
    except RuntimeError:
        watched.stop(signal.SIGKILL)
        raise
    return watched
