"""Benchmark setup: N app replicas on one PostGIS store behind nginx, then the load script.

Usage:
    python bench/replicas.py [--replicas 2] [--keep] [-- LOAD ARGS...]

Starts a private PostgreSQL/PostGIS cluster on 127.0.0.1 (fsync on), refreshes every
mirrored dataset into it, starts the replicas (``python -m server``) and nginx rendered
from deploy/nginx.conf.template, exactly as tests/test_replicas.py does, and prints the
proxy's URL. Then it runs ``bench/load.py --url <proxy> --pid <replica PIDs> LOAD ARGS``
when that script exists (it measures N concurrent sessions); ``--keep`` leaves everything
running until Ctrl-C to look around in a browser.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geodata import Settings, refresh  # noqa: E402
from tests.helpers.servers import Nginx, PgCluster, start_replica  # noqa: E402

LOAD = ROOT / "bench" / "load.py"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--mirror", default=str(ROOT.parent / "shared" / "opendata-mirror"))
    parser.add_argument("--keep", action="store_true", help="keep running until Ctrl-C")
    parser.add_argument("--load-script", default=str(LOAD),
                        help="the load script to run against the proxy (default bench/load.py)")
    parser.add_argument("load_args", nargs="*", help="passed on to bench/load.py (after --)")
    args = parser.parse_args()

    cluster = PgCluster(fsync=True).start()
    replicas = []
    proxy = None
    work = Path(tempfile.mkdtemp(prefix="rostock-replicas-"))
    try:
        db = cluster.create_database("replicas")
        t0 = time.perf_counter()
        outcomes = refresh(settings=Settings(data_dir=work / "refresh", mirror=args.mirror,
                                             database_url=db))
        failed = [o.message for o in outcomes if not o.ok]
        if failed:
            print("refresh failed:", failed, file=sys.stderr)
            return 1
        print(f"refresh into PostGIS: {time.perf_counter() - t0:.2f} s")
        env = {"GEODATA_DATABASE_URL": db, "GEODATA_DIR": str(work / "app-data"),
               "GEODATA_FETCH_ON_DEMAND": "0"}  # as deploy/compose.yaml runs them
        cookie_secret = secrets.token_hex(16)
        replicas = [start_replica(env, work, cookie_secret) for _ in range(args.replicas)]
        proxy = Nginx([r.address for r in replicas], work / "nginx")
        proxy.folder.mkdir()
        proxy.start()
        pids = ",".join(str(r.process.pid) for r in replicas)
        print(f"replicas: {', '.join(r.url for r in replicas)} (PIDs {pids})")
        print(f"proxy:    {proxy.url}   (access log {proxy.access_log})")
        print(f"machine:  {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        code = 0
        load = Path(args.load_script)
        if load.exists():
            cmd = [sys.executable, str(load), "--url", proxy.url, "--pid", pids,
                   *args.load_args]
            print("$", " ".join(cmd[1:]), flush=True)
            code = subprocess.call(cmd, cwd=ROOT)
            lines = proxy.access_log.read_text().splitlines()
            for r in replicas:
                streams = sum(1 for ln in lines if "/_stcore/stream" in ln
                              and f'up="{r.address}"' in ln)
                print(f"websocket sessions served by {r.address}: {streams}")
        else:
            print(f"{load} does not exist (yet): drive the proxy URL yourself.")
        if args.keep:
            print("running; Ctrl-C stops everything")
            while True:
                time.sleep(3600)
        return code
    except KeyboardInterrupt:
        return 0
    finally:
        if proxy:
            proxy.stop()
        for r in replicas:
            r.stop()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
