"""Real servers on loopback for tests and benchmarks: a private PostgreSQL cluster with
PostGIS, Streamlit replicas and nginx rendered from the shipped template.

Nothing here talks to system services: the cluster lives in a temporary folder on a free
port and is stopped by its owner. Run as root, the cluster belongs to the ``postgres`` user
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers.net import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"


# -- PostgreSQL -----------------------------------------------------------------------------


def pg_bindir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (Debian keeps them out of PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit()
                        else 0)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def postgis_missing() -> str | None:
    """Why the PostGIS tests cannot run here, or None when they can."""
    bindir = pg_bindir()
    if bindir is None:
        return "PostgreSQL server binaries (initdb) are not installed"
    share = subprocess.run([bindir / "pg_config", "--sharedir"], capture_output=True,
                           text=True).stdout.strip() if (bindir / "pg_config").exists() else ""
    controls = [Path(share) / "extension" / "postgis.control"] if share else []
    controls += [Path(p) for p in glob.glob(
        f"/usr/share/postgresql/{bindir.parts[-2]}/extension/postgis.control")]
    if not any(c.is_file() for c in controls):
        return f"PostGIS is not installed for PostgreSQL {bindir.parts[-2]}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to own the cluster"
    return None


@dataclass
class PgCluster:
    """``initdb`` + ``pg_ctl start`` in a temporary folder; ``url`` has a random password."""

    fsync: bool = False  # tests need no durability; the benchmark turns it on
    port: int = 0
    url: str = ""
    folder: Path = field(default_factory=Path)
    _user: str | None = None

    def _run(self, *args: str | Path) -> None:
        cmd = [str(a) for a in args]
        if self._user:
            cmd = ["runuser", "-u", self._user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
        if done.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stdout}{done.stderr}")

    def start(self) -> PgCluster:
        why = postgis_missing()
        if why:
            raise RuntimeError(why)
        bindir = pg_bindir()
        assert bindir is not None
        self.folder = Path(tempfile.mkdtemp(prefix="rostock-pg-"))
        data, sock = self.folder / "data", self.folder / "sock"
        sock.mkdir()
        password = secrets.token_urlsafe(16)
        pwfile = self.folder / "pw"
        pwfile.write_text(password)
        if os.geteuid() == 0:
            self._user = "postgres"
            entry = pwd.getpwnam("postgres")
            for path in (self.folder, sock, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(bindir / "initdb", "-D", data, "-U", "geodata", "--pwfile", pwfile,
                  "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8",
                  "--locale=C.UTF-8")
        pwfile.unlink()
        self.port = free_port()
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={sock} -c max_connections=100 "
                   f"-c fsync={'on' if self.fsync else 'off'} "
                   f"-c synchronous_commit={'on' if self.fsync else 'off'}")
        self._run(bindir / "pg_ctl", "start", "-w", "-t", "60", "-D", data, "-l",
                  self.folder / "postgres.log", "-o", options)
        self.url = f"postgresql://geodata:{password}@127.0.0.1:{self.port}/postgres"
        return self

    def create_database(self, name: str) -> str:
        """A fresh database with PostGIS; returns its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = self.url.rsplit("/", 1)[0] + f"/{name}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        return url

    def stop(self) -> None:
        bindir = pg_bindir()
        if bindir and (self.folder / "data" / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self._run(bindir / "pg_ctl", "stop", "-m", "fast", "-w", "-D",
                          self.folder / "data")
        shutil.rmtree(self.folder, ignore_errors=True)


# -- Streamlit replicas ---------------------------------------------------------------------


@dataclass
class Replica:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_replica(env: dict[str, str], log_dir: Path, cookie_secret: str) -> Replica:
    """``python -m server`` on a free loopback port, as the deployment runs it."""
    port = free_port()
    log = log_dir / f"replica-{port}.log"
    full_env = {**os.environ, "DASHBOARD_PROFILES_AUTOBUILD": "0", **env,
                "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret}
    full_env.pop("GEODATA_MIRROR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=full_env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    replica = Replica(port, proc, log)
    try:
        wait_healthy(replica.url, proc, what=f"replica (log {log})")
    except RuntimeError:
        replica.stop(signal.SIGKILL)
        raise
    return replica


# -- nginx ----------------------------------------------------------------------------------

_VAR = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def render_template(text: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst step does: ``${NAME}`` for the given names only, so
    nginx's own ``$variables`` stay as they are."""
    missing = {m for m in _VAR.findall(text) if m not in values}
    if missing:
        raise KeyError(f"template variables without a value: {sorted(missing)}")
    return _VAR.sub(lambda m: values[m.group(1)], text)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


@dataclass
class Nginx:
    """nginx in the foreground with the shipped template rendered for loopback upstreams."""

    upstreams: list[str]
    folder: Path
    port: int = 0
    profiles: Path | None = None  # the district profiles' root (``profiles.build.root_dir``)
    tile_origin: str = ""  # the street map's tile server the CSP allows
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def config(self) -> Path:
        """A minimal nginx.conf around the rendered template, as the image includes it."""
        self.port = self.port or free_port()
        servers = " ".join(f"server {u} max_fails=3 fail_timeout=10s;" for u in self.upstreams)
        rendered = render_template(NGINX_TEMPLATE.read_text(), {
            "LISTEN": f"127.0.0.1:{self.port}",
            "STREAMLIT_UPSTREAMS": servers,
            "ACCESS_LOG": str(self.access_log),
            "PROFILES_ROOT": str(self.profiles or self.folder / "no-profiles"),
            "TILE_ORIGIN": self.tile_origin,
        })
        site = self.folder / "site.conf"
        site.write_text(rendered)
        temp = self.folder / "temp"
        temp.mkdir(exist_ok=True)
        os.chmod(temp, 0o777)
        user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
        conf = self.folder / "nginx.conf"
        conf.write_text(
            f"{user}worker_processes 1;\npid {self.folder}/nginx.pid;\n"
            f"error_log {self.folder}/error.log info;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "  include /etc/nginx/mime.types;\n"
            f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            f"  fastcgi_temp_path {temp}/fcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
            f"  scgi_temp_path {temp}/scgi;\n"
            f"  include {site};\n"
            "}\n")
        return conf

    def test_config(self) -> subprocess.CompletedProcess:
        binary = nginx_binary()
        assert binary
        return subprocess.run([binary, "-t", "-p", str(self.folder), "-c", str(self.config())],
                              capture_output=True, text=True)

    def start(self) -> Nginx:
        binary = nginx_binary()
        if not binary:
            raise RuntimeError("nginx is not installed")
        conf = self.config()
        self.process = subprocess.Popen(
            [binary, "-p", str(self.folder), "-c", str(conf), "-g", "daemon off;"],
            stdout=(self.folder / "stdout.log").open("w"), stderr=subprocess.STDOUT)
        try:
            wait_healthy(self.url, self.process, timeout=20, what="nginx")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {(self.folder / 'error.log').read_text()}") from None
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
