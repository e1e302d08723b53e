"""Two app replicas on one PostGIS store behind nginx, configured from the shipped template.

Real browser sessions (Debian's chromium) must stick to one replica; stopping a replica
mid-test must cost only its own sessions (they reconnect to the other); the proxy must send
the security headers, hide /_stcore/metrics and pass /_stcore/health. The compose file is
not run here (no Docker): its structure and its nginx settings are checked instead.
"""

from __future__ import annotations

import gzip
import os
import re
import secrets
import shutil
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import pytest

import geodata
from geodata import refresh
from tests.helpers.mirror import ROOT, MirrorServer, fast_settings, needs_mirror
from tests.helpers.net import http_get, poll_until
from tests.helpers.servers import (
    NGINX_TEMPLATE,
    Nginx,
    PgCluster,
    Replica,
    render_template,
    start_replica,
)

pytestmark = [pytest.mark.nginx, needs_mirror]
COMPOSE = ROOT / "deploy" / "compose.yaml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
           "Referrer-Policy", "Permissions-Policy")
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) .* '
                      r'up="(?P<up>[^"]*)" route=(?P<route>\S+)')


@dataclass
class Stack:
    pg_url: str
    data_dir: Path
    replicas: list[Replica]
    proxy: Nginx
    logs: Path
    stopped: list[Replica] = field(default_factory=list)

    def log_lines(self, start: int = 0) -> list[dict[str, str]]:
        text = self.proxy.access_log.read_text()[start:]
        return [m.groupdict() for m in map(LOG_LINE.search, text.splitlines()) if m]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, pg_cluster: PgCluster,
          mirror_server: MirrorServer, nginx_present: str,
          profiles_site: Path) -> Iterator[Stack]:
    """PostGIS filled by one refresh, two replicas reading it, nginx in front."""
    url = pg_cluster.create_database("replicas")
    work = tmp_path_factory.mktemp("replicas")
    outcomes = refresh(settings=fast_settings(work / "refresh", mirror_server.url).with_(
        database_url=url))
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    # The replicas' own data folder stays empty: everything comes from the database.
    data_dir = work / "app-data"
    env = {"GEODATA_DATABASE_URL": url, "GEODATA_DIR": str(data_dir),
           "GEODATA_FETCH_ON_DEMAND": "0"}  # as deploy/compose.yaml runs them
    cookie_secret = secrets.token_hex(16)
    replicas: list[Replica] = []
    proxy: Nginx | None = None
    try:
        replicas = [start_replica(env, work, cookie_secret) for _ in range(2)]
        # nginx's workers (nobody) read the profiles from a folder they may enter
        profiles = Path(tempfile.mkdtemp(prefix="rostock-profiles-"))
        os.chmod(profiles, 0o755)
        shutil.copytree(profiles_site / "current", profiles / "current")
        proxy = Nginx([r.address for r in replicas], work / "nginx", profiles=profiles)
        proxy.folder.mkdir()
        proxy.start()
        yield Stack(url, data_dir, replicas, proxy, work)
    finally:
        if proxy:
            proxy.stop()
            if proxy.profiles:
                shutil.rmtree(proxy.profiles, ignore_errors=True)
        for r in replicas:
            r.stop()


def _get(url: str, cookie: str | None = None,
         **headers: str) -> tuple[int, dict[str, str], bytes]:
    if cookie:
        headers["Cookie"] = cookie
    return http_get(url, **headers)


def _compose() -> dict:
    import yaml

    return yaml.safe_load(COMPOSE.read_text())


def test_compose_recipe_hangs_together() -> None:
    compose = _compose()
    services = compose["services"]
    apps = {n: s for n, s in services.items() if re.fullmatch(r"app\d+", n)}
    assert len(apps) >= 2 and {"db", "refresh", "proxy"} <= set(services)
    proxy_env = services["proxy"]["environment"]
    upstreams = re.findall(r"server (\S+):(\d+)", proxy_env["STREAMLIT_UPSTREAMS"])
    addresses = {s["networks"]["backend"]["ipv4_address"] for s in apps.values()}
    # Every replica is behind the proxy and nothing else is.
    assert {a for a, _port in upstreams} == addresses and len(upstreams) == len(apps)
    assert {port for _a, port in upstreams} == {"8501"}
    assert "--server.port\", \"8501\"" in DOCKERFILE.read_text()
    # The proxy serves this very template; the refresh job is the one writer.
    assert any(v.startswith("./nginx.conf.template:/etc/nginx/templates/")
               for v in services["proxy"]["volumes"])
    assert "python -m geodata refresh" in " ".join(services["refresh"]["command"])
    assert "ports" not in services["refresh"] and "ports" not in services["db"]
    for name, service in [*apps.items(), ("refresh", services["refresh"])]:
        env = service["environment"]
        assert env["GEODATA_DATABASE_URL"].startswith("postgresql://geodata:"), name
        assert "@db:5432/" in env["GEODATA_DATABASE_URL"], name
        assert env["STREAMLIT_SERVER_COOKIE_SECRET"] == "${COOKIE_SECRET:?set COOKIE_SECRET " \
            "in deploy/.env}", name
    for name, service in apps.items():
        assert service["environment"]["GEODATA_FETCH_ON_DEMAND"] == "0", name
    assert "/_stcore/health" in str(services["proxy"]["healthcheck"]["test"])
    assert "/_stcore/health" in DOCKERFILE.read_text()


COMPOSE_DEFAULT = re.compile(r"\$\{[A-Z_]+:-([^}]*)\}")


def _proxy_env(**overrides: str) -> dict[str, str]:
    """The proxy's environment as compose hands it over (``${VAR:-default}`` unset)."""
    env = _compose()["services"]["proxy"]["environment"]
    return {**{k: COMPOSE_DEFAULT.sub(r"\1", str(v)) for k, v in env.items()}, **overrides}


def nginx_t(nginx: str, site: str, folder: Path) -> str:
    """``nginx -t`` over the rendered site in a throwaway prefix; its report (it must pass)."""
    import subprocess

    conf = Nginx([], folder).config()
    (folder / "site.conf").write_text(site.replace("/dev/stdout", str(folder / "a.log")))
    done = subprocess.run([nginx, "-t", "-p", str(folder), "-c", str(conf)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_template_with_the_compose_settings_passes_nginx_t(tmp_path: Path,
                                                           nginx_present: str) -> None:
    env = _proxy_env()
    site = render_template(NGINX_TEMPLATE.read_text(), env)
    assert "${" not in site and "$stroute" in site  # nginx's own variables stay
    assert "syntax is ok" in nginx_t(nginx_present, site, tmp_path)


# -- the proxy -----------------------------------------------------------------------------


def test_proxy_sends_security_headers_and_hides_metrics(stack: Stack) -> None:
    status, headers, body = _get(f"{stack.proxy.url}/")
    assert status == 200 and b'id="root"' in body
    for name in HEADERS:
        assert headers.get(name.lower()), f"{name} missing"
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert headers["x-content-type-options"] == "nosniff"
    # A first visit gets a random routing cookie, a returning one keeps its own.
    cookie = headers["set-cookie"]
    assert re.fullmatch(r"stroute=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Lax", cookie)
    _s, again, _b = _get(f"{stack.proxy.url}/", cookie.split(";")[0])
    assert "set-cookie" not in again or "stroute" not in again["set-cookie"]

    status, headers, body = _get(f"{stack.proxy.url}/_stcore/health")
    assert status == 200 and body == b"ok" and headers.get("x-frame-options") == "SAMEORIGIN"
    for path in ("/_stcore/metrics", "/_stcore/metrics?x=1", "/karte/_stcore/metrics"):
        status, headers, _b = _get(stack.proxy.url + path)
        assert status == 404, path
        assert headers.get("content-security-policy"), "headers on errors too"
    # The replicas do have the endpoint: the proxy is what hides it.
    assert _get(f"{stack.replicas[0].url}/_stcore/metrics")[0] == 200


def test_proxy_serves_the_profiles_from_disk(stack: Stack) -> None:
    """/profile/ comes from the folder the refresh job builds into, gzip'ed from the .gz
    beside each file, with the security headers, and no replica is asked."""
    start = len(stack.proxy.access_log.read_text())
    status, headers, body = _get(f"{stack.proxy.url}/profile/de/stadtmitte.html",
                                 **{"Accept-Encoding": "gzip"})
    assert (status, headers.get("content-encoding")) == (200, "gzip")
    assert b"21.279" in gzip.decompress(body)
    assert headers["cache-control"] == "no-cache" and headers.get("content-security-policy")
    assets = stack.proxy.profiles / "current" / "assets"  # type: ignore[operator]
    js = next(assets.glob("profile.*.js")).name
    status, headers, _b = _get(f"{stack.proxy.url}/profile/assets/{js}")
    assert status == 200 and "max-age=31536000" in headers["cache-control"]
    status, _h, pdf = _get(f"{stack.proxy.url}/profile/de/stadtmitte.pdf")
    assert status == 200 and pdf.startswith(b"%PDF")
    assert _get(f"{stack.proxy.url}/profile")[0] == 200  # redirected to /profile/
    lines = [x for x in stack.log_lines(start) if x["path"].startswith("/profile")]
    assert lines and all(x["up"] == "-" for x in lines), lines


def test_proxy_passes_brotli_on_and_gzips_for_gzip_only_clients(stack: Stack) -> None:
    """The app's brotli reaches the browser unchanged through nginx (which has no brotli
    of its own); a client that only takes gzip gets gzip; nobody gets it twice."""
    _s, _h, page = _get(f"{stack.proxy.url}/")
    bundle = re.search(rb'src="\.?/?(static/js/index\.[\w-]+\.js)"', page).group(1).decode()
    from streamlit import file_util

    original = (Path(file_util.get_static_dir()) / bundle).read_bytes()
    for accept, expected in (("gzip, deflate, br, zstd", "br"), ("gzip", "gzip")):
        status, headers, body = _get(f"{stack.proxy.url}/{bundle}",
                                     **{"Accept-Encoding": accept})
        assert (status, headers.get("content-encoding")) == (200, expected), accept
        plain = brotli.decompress(body) if expected == "br" else gzip.decompress(body)
        assert plain == original
        assert "immutable" in headers["cache-control"]


# -- sessions --------------------------------------------------------------------------------


def _routes_per_replica(stack: Stack, per_replica: int) -> dict[str, list[str]]:
    """Routing cookies the proxy hands out, grouped by the replica each one lands on."""
    found: dict[str, list[str]] = {r.address: [] for r in stack.replicas}
    for _ in range(60):
        _s, headers, _b = _get(f"{stack.proxy.url}/_stcore/health")
        route = headers["set-cookie"].split(";")[0].split("=", 1)[1]
        up = poll_until(lambda route=route: next(
            (ln["up"] for ln in stack.log_lines() if ln["route"] == route), None),
            5, f"the access log line of route {route}", interval=0.05)
        assert up in found, up
        if len(found[up]) < per_replica:
            found[up].append(route)
        if all(len(v) == per_replica for v in found.values()):
            return found
    raise AssertionError(f"the proxy sent every new visitor to one replica: {found}")


@dataclass
class Visitor:
    route: str
    replica: str
    page: object
    sockets: list = field(default_factory=list)


CSP_PROBE = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
             "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")


def _heading(page, text: str, timeout: float = 90_000) -> None:
    page.get_by_role("heading", name=text).wait_for(timeout=timeout)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM, reason="no chromium on this machine")
def test_sessions_stick_and_a_stopped_replica_costs_only_its_own(stack: Stack) -> None:
    from playwright.sync_api import sync_playwright

    from tests.helpers.browser import CHROMIUM_ARGS

    routes = _routes_per_replica(stack, 2)
    a, b = (r.address for r in stack.replicas)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        visitors: list[Visitor] = []
        for replica, keys in routes.items():
            for route in keys:
                context = browser.new_context(viewport={"width": 1200, "height": 900},
                                              locale="de-DE")
                context.add_cookies([{"name": "stroute", "value": route,
                                      "url": stack.proxy.url}])
                context.add_init_script(CSP_PROBE)
                page = context.new_page()
                v = Visitor(route, replica, page)
                page.on("websocket", lambda ws, v=v: v.sockets.append(ws))
                visitors.append(v)
        for v in visitors:
            v.page.goto(f"{stack.proxy.url}/?indicator=anteil_65_plus")
            _heading(v.page, "Rostock auf der Karte")
            v.page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(
                timeout=90_000)
            # A rerun over the websocket: the session works.
            v.page.get_by_text("English", exact=True).click()
            _heading(v.page, "Rostock on the map")

        # Every request of a visitor so far went to the replica its cookie names.
        for v in visitors:
            ups = {ln["up"] for ln in stack.log_lines() if ln["route"] == v.route}
            assert ups == {v.replica}, (v.route, ups)
        assert all(len(v.sockets) == 1 for v in visitors)

        mark = stack.proxy.access_log.stat().st_size
        victim = next(r for r in stack.replicas if r.address == b)
        victim.stop(signal.SIGKILL)
        stack.stopped.append(victim)

        survivors = [v for v in visitors if v.replica == a]
        moved = [v for v in visitors if v.replica == b]
        # The survivor's visitors go on at once, in the session they had.
        for v in survivors:
            v.page.get_by_text("Deutsch", exact=True).click()
            _heading(v.page, "Rostock auf der Karte")
        # The victim's visitors reconnect to the survivor and get a new session there (the
        # view comes back from the URL). A click while the page still waits for its server
        # is lost, so they may need a few.
        for v in moved:
            # (a Playwright call on each look lets the page's websocket events in)
            poll_until(lambda v=v: v.page.evaluate("1") and len(v.sockets) >= 2, 60,
                       "a reconnect", interval=0.2)
            for _attempt in range(12):
                v.page.get_by_text("Deutsch", exact=True).click()
                try:
                    _heading(v.page, "Rostock auf der Karte", timeout=5_000)
                    break
                except Exception:
                    continue
            _heading(v.page, "Rostock auf der Karte")
        for v in visitors:
            v.page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(
                timeout=90_000)
        assert all(len(v.sockets) == 1 and not v.sockets[0].is_closed() for v in survivors)
        assert all(len(v.sockets) >= 2 and v.sockets[0].is_closed() for v in moved)

        violations = [(v.route, v.page.evaluate("window.__csp")) for v in visitors]
        frames = [f.evaluate("window.__csp || []") for v in visitors for f in v.page.frames]
        browser.close()

    assert all(not found for _r, found in violations), violations
    assert not any(frames), frames
    after = stack.log_lines(mark)
    for v in survivors:
        # Still only the survivor, websocket included (logged when the browser closed).
        lines = [ln for ln in stack.log_lines() if ln["route"] == v.route]
        assert {ln["up"] for ln in lines} == {a}
        assert [ln for ln in lines if ln["path"] == "/_stcore/stream" and ln["status"] == "101"]
    for v in moved:
        mine = [ln for ln in after if ln["route"] == v.route
                and not (ln["path"] == "/_stcore/stream" and ln["up"] == b)]
        assert mine and all(ln["up"].split(", ")[-1] == a for ln in mine), mine
    # Nothing was written beside the replicas: the store is the database.
    assert not list(stack.data_dir.rglob("*.parquet"))
    assert geodata.open_store(fast_settings(stack.data_dir, None).with_(
        database_url=stack.pg_url)).has("stadtbereiche")


def test_the_csp_allows_exactly_the_configured_tile_server(tmp_path: Path,
                                                          nginx_present: str) -> None:
    """A street map's tiles come from one more origin: the CSP names that one and no other,
    in both maps (deck.gl on the page, Leaflet in its component frame)."""
    origin = "https://tile.openstreetmap.org"
    site = render_template(NGINX_TEMPLATE.read_text(), _proxy_env(TILE_ORIGIN=origin))
    policies = re.findall(r'"(default-src[^"]*)"', site)
    assert len(policies) == 2
    for policy in policies:
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["img-src"].split() == ["'self'", "data:", "blob:", origin]
        assert directives["connect-src"].split() == ["'self'", origin]
        others = [d for name, d in directives.items() if name not in ("img-src", "connect-src")]
        assert not [d for d in others if "openstreetmap" in d]
    without = render_template(NGINX_TEMPLATE.read_text(), _proxy_env())
    assert "openstreetmap" not in without and "http" not in "".join(
        re.findall(r'"(default-src[^"]*)"', without))
    nginx_t(nginx_present, site, tmp_path)


def test_the_access_log_keeps_no_query_string() -> None:
    """A search text travels in ``?q=``: the proxy's log format leaves queries out."""
    template = NGINX_TEMPLATE.read_text()
    log_format = template[template.index("log_format"):template.index(";", template.index(
        "log_format"))]
    assert "$uri" in log_format and "$request " not in log_format
    assert "$request\"" not in log_format and "$args" not in log_format

