"""Security of the deployment: configuration, static files, XSRF, uploads, URL input, and
known vulnerabilities in the installed dependencies.

* The effective Streamlit configuration (``.streamlit/config.toml`` plus whatever
  ``STREAMLIT_*`` variables this environment sets, read the way ``python -m server`` reads
  it) keeps XSRF protection on, shows no error details, sends no usage statistics and runs
  the deployment profile (no file watching, no dev mode, tiny upload limit).
* Static serving exposes the local map assets and nothing else, also to path tricks.
* Hostile URL parameters on every page are refused (defaults instead) and never reach the
  file system.
* ``pip-audit`` over the installed, pinned set: a known vulnerability fails the suite. When
  no vulnerability service answers it reads a local copy of advisories in OSV format
  (``OSV_ADVISORIES=<folder>``), or skips with a message saying that nothing was audited.
"""

from __future__ import annotations

import builtins
import http.client
import io
import json
import os
import re
import subprocess
import sys
import urllib.parse
from importlib import metadata
from pathlib import Path

import pytest

from tests.helpers.app import page_scripts, run_app
from tests.helpers.browser import App
from tests.helpers.mirror import ROOT, needs_mirror

READ_CONFIG = """
import json
from streamlit import config
config.get_config_options(force_reparse=True)
keys = {keys!r}
print(json.dumps({{k: config.get_option(k) for k in keys}}))
"""
KEYS = ["server.enableXsrfProtection", "server.enableCORS", "client.showErrorDetails",
        "browser.gatherUsageStats", "global.developmentMode", "server.enableStaticServing",
        "server.fileWatcherType", "server.runOnSave", "server.maxUploadSize",
        "client.toolbarMode", "server.headless", "client.disableDataExport"]
# What the served folder may hold (generated into <data_dir>/static by server.static):
# Leaflet's files, the basemap style and the page-language script (server.page_lang).
STATIC_ALLOWED = re.compile(
    r"page-lang\.js|basemap/style(-streets)?\.json"
    r"|vendor/leaflet/(leaflet\.js|leaflet\.css|images/[\w-]+\.png)"
    r"|tiles/(\d+/\d+/\d+\.png|tilepack\.json)")


@pytest.fixture(scope="module")
def effective() -> dict:
    out = subprocess.run([sys.executable, "-c", READ_CONFIG.format(keys=KEYS)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_xsrf_protection_is_on(effective: dict) -> None:
    assert effective["server.enableXsrfProtection"] is True
    assert effective["server.enableCORS"] is True


def test_no_error_details_for_visitors(effective: dict) -> None:
    assert effective["client.showErrorDetails"] in (False, "false", "False", "none")
    assert effective["client.toolbarMode"] in ("minimal", "viewer")
    assert effective["global.developmentMode"] is False


def test_no_usage_statistics(effective: dict) -> None:
    assert effective["browser.gatherUsageStats"] is False


def test_tables_offer_no_unescaped_csv(effective: dict) -> None:
    """Streamlit's own table download writes cells as they are (a formula stays live);
    downloads come from figures.export and figures.report, which neutralise them."""
    assert effective["client.disableDataExport"] is True


def test_deployment_profile(effective: dict) -> None:
    """Fixed code (no watcher, no rerun on save), headless, no real uploads."""
    assert effective["server.fileWatcherType"] == "none"
    assert effective["server.runOnSave"] is False
    assert effective["server.headless"] is True
    assert effective["server.maxUploadSize"] <= 1


def test_app_takes_no_uploads() -> None:
    """No page offers a file upload, so no file from a visitor is ever stored or parsed."""
    sources = [p for d in ("ui", "pages", "layers") for p in (ROOT / d).glob("*.py")]
    sources.append(ROOT / "dashboard.py")
    users = [p.name for p in sources if "file_uploader" in p.read_text(encoding="utf-8")]
    assert not users


def test_static_folder_holds_only_the_local_assets(app_env: Path) -> None:
    import geodata
    from server import static

    served = static.folder(geodata.load_settings())
    assert served == app_env / "static"  # beside the store, not in the project
    static.install(geodata.load_settings())  # what server.serve does at start-up
    run_app()  # the first run writes the basemap style
    files = sorted(str(p.relative_to(served)) for p in served.rglob("*") if p.is_file())
    assert "vendor/leaflet/leaflet.js" in files and "basemap/style.json" in files
    extra = [f for f in files if not STATIC_ALLOWED.fullmatch(f)]
    assert not extra, f"static serving would expose {extra}"


# --- the running server -----------------------------------------------------------------


def raw_get(url: str, path: str, method: str = "GET") -> tuple[int, bytes, dict]:
    """A request with the path sent exactly as given (no client-side normalisation)."""
    parsed = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, resp.read(), dict(resp.getheaders())
    finally:
        conn.close()


# Beside the served folder (<data_dir>/static): the store's records and the raw downloads.
SECRET_FILES = ["store/stadtbereiche.json", "raw/stadtbereiche/_http.json", "etc/passwd"]
TRICKS = ["/app/static/../{f}", "/app/static/%2e%2e/{f}", "/app/static/..%2f{f}",
          "/app/static/vendor/../../{f}", "/app/static/vendor/leaflet/%2e%2e/%2e%2e/../{f}",
          "/app/static/....//{f}", "/app/static/%252e%252e/{f}", "/app/static//{f}",
          "/app/static/..\\{f}", "/app/static/../../../../../../{f}"]


@needs_mirror
def test_static_serving_gives_assets_and_nothing_else(app: App) -> None:
    status, body, _headers = raw_get(app.url, "/app/static/vendor/leaflet/leaflet.js")
    assert status == 200 and b"Leaflet" in body[:400]
    for secret in SECRET_FILES:
        local = app.store / secret if not secret.startswith("etc") else Path("/") / secret
        marker = local.read_bytes()[:60] if local.is_file() else b"\0never"
        for trick in TRICKS:
            path = trick.format(f=secret)
            status, body, _h = raw_get(app.url, path)
            assert marker not in body, f"{path} served {secret}"
    assert raw_get(app.url, "/app/static/.env")[0] == 404
    assert raw_get(app.url, "/app/static/")[0] in (403, 404)  # no directory listing


@needs_mirror
def test_xsrf_is_enforced_by_the_server(app: App) -> None:
    status, _b, headers = raw_get(app.url, "/_stcore/health")
    assert status == 200
    assert "_streamlit_xsrf" in headers.get("set-cookie", headers.get("Set-Cookie", ""))
    # An upload without the token is refused before anything is read.
    assert raw_get(app.url, "/_stcore/upload_file/a/b", "PUT")[0] == 403


# --- URL input never reaches the file system ----------------------------------------------

HOSTILE = ["../../../../etc/passwd", "..%2F..%2Fpyproject.toml", "/etc/passwd",
           "x\x00y", "C:\\Windows\\win.ini", "file:///etc/passwd", "<script>alert(1)</script>",
           "9" * 400]


def url_params() -> list[str]:
    """Every URL parameter a widget is bound to (state.bind* calls), found in the source."""
    names = set()
    for src in (ROOT / "ui").glob("*.py"):
        names |= set(re.findall(r"bind(?:_choice|_int|_list)?\(\s*[\"']([a-z_]+)[\"']",
                                src.read_text(encoding="utf-8")))
    from geodata.need_index import COMPONENTS

    names.discard("wt_")  # bound as "wt_" + component id
    names |= {"wt_" + c.id for c in COMPONENTS}
    return sorted(names)


def widget_values(at) -> list[object]:  # type: ignore[no-untyped-def]
    """The value of every widget on the page after the run."""
    values = []
    for kind in ("selectbox", "multiselect", "slider", "select_slider", "radio",
                 "button_group", "toggle", "checkbox", "number_input", "text_input"):
        for widget in at.get(kind):
            try:
                values.append(widget.value)
            except Exception:  # an element type without a readable value in AppTest
                values.append(getattr(widget.proto, "default", None))
    return values


@pytest.mark.parametrize("script", [s for s, _u in page_scripts()],
                         ids=[u for _s, u in page_scripts()])
def test_hostile_url_parameters_are_refused(app_env: Path, script: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    names = url_params()
    assert {"indicator", "year", "district", "layers", "lang"} <= set(names)
    opened: list[str] = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(os.fsdecode(file) if isinstance(file, str | bytes | os.PathLike)
                      else str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(io, "open", spy)
    for value in HOSTILE:
        at = run_app(script, params_after_switch=True, **{n: value for n in names})
        used = widget_values(at)
        assert used, "no widgets read"
        assert not [v for v in used if value in str(v)], (value, used)
    assert opened  # the spy saw the app's own reads
    assert not [p for p in opened if any(h in p for h in ("etc/passwd", "win.ini", "..%2F"))]


# --- known vulnerabilities -------------------------------------------------------------------


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> dict[str, str]:
    return {_normalise(d.metadata["Name"]): d.version for d in metadata.distributions()
            if d.metadata["Name"]}


def _in_ranges(version: str, ranges: list[dict]) -> bool:
    """OSV ``ECOSYSTEM`` ranges: an ``introduced`` event opens a range, ``fixed`` closes it
    (exclusive), ``last_affected`` closes it (inclusive). Needed because an advisory's explicit
    ``versions`` list stops at the releases known when it was written."""
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(version)
    except InvalidVersion:
        return False
    for rng in ranges:
        if rng.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        lower: Version | None = None
        for event in rng.get("events", []):
            try:
                if "introduced" in event:
                    lower = Version("0") if event["introduced"] == "0" else Version(
                        event["introduced"])
                elif lower is not None and "fixed" in event:
                    if lower <= v < Version(event["fixed"]):
                        return True
                    lower = None
                elif lower is not None and "last_affected" in event:
                    if lower <= v <= Version(event["last_affected"]):
                        return True
                    lower = None
            except InvalidVersion:
                lower = None
        if lower is not None and lower <= v:  # introduced, never fixed
            return True
    return False


def offline_findings(folder: Path, packages: dict[str, str]) -> tuple[int, list[str]]:
    """Match installed versions against OSV records (the PyPA advisory database's format:
    ``affected[].package.ecosystem == "PyPI"`` with ``ranges`` and/or ``versions``)."""
    records, hits = 0, []
    for path in sorted(folder.rglob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(record, dict) or "affected" not in record:
            continue
        records += 1
        if record.get("withdrawn"):
            continue
        for affected in record.get("affected", []):
            pkg = affected.get("package", {})
            if pkg.get("ecosystem") != "PyPI":
                continue
            name = _normalise(pkg.get("name", ""))
            version = packages.get(name)
            if version is None:
                continue
            if version in affected.get("versions", []) or _in_ranges(
                    version, affected.get("ranges", [])):
                hits.append(f"{name} {version}: {record.get('id')}")
                break
    return records, hits


def test_offline_advisory_matching_finds_a_listed_version(tmp_path: Path) -> None:
    """The offline path can fail: a record naming an installed version is a finding."""
    packages = installed()
    version = packages["requests"]
    (tmp_path / "PYSEC-0000-0.json").write_text(json.dumps({
        "id": "PYSEC-0000-0", "affected": [{"package": {"ecosystem": "PyPI",
                                                        "name": "Requests"},
                                            "versions": ["0.0.1", version]}]}))
    (tmp_path / "PYSEC-0000-1.json").write_text(json.dumps({
        "id": "PYSEC-0000-1", "affected": [{"package": {"ecosystem": "PyPI",
                                                        "name": "requests"},
                                            "versions": ["0.0.1"]}]}))
    records, hits = offline_findings(tmp_path, packages)
    assert records == 2 and hits == [f"requests {version}: PYSEC-0000-0"]


def test_offline_advisory_matching_reads_version_ranges(tmp_path: Path) -> None:
    """Advisories name ranges; a release newer than the record's ``versions`` list is still
    affected until the ``fixed`` version, and a fixed one is not."""
    packages = {"demo": "2.5.0", "other": "1.0"}

    def record(rid: str, name: str, *events: dict) -> None:
        (tmp_path / f"{rid}.json").write_text(json.dumps({
            "id": rid, "affected": [{"package": {"ecosystem": "PyPI", "name": name},
                                     "ranges": [{"type": "ECOSYSTEM", "events": list(events)}],
                                     "versions": ["1.0"]}]}))

    record("A", "demo", {"introduced": "0"}, {"fixed": "3.0"})           # 2.5.0 < 3.0: hit
    record("B", "demo", {"introduced": "0"}, {"fixed": "2.5.0"})         # fixed in 2.5.0
    record("C", "demo", {"introduced": "2.0"}, {"last_affected": "2.5.0"})  # inclusive: hit
    record("D", "Demo", {"introduced": "1.0"}, {"fixed": "1.1"},
           {"introduced": "2.4"})                                       # reopened, no fix: hit
    record("E", "other", {"introduced": "2.0"})                          # 1.0 < 2.0 but listed
    record("F", "demo", {"introduced": "3.0"})                           # not yet affected
    records, hits = offline_findings(tmp_path, packages)
    assert records == 6
    assert hits == ["demo 2.5.0: A", "demo 2.5.0: C", "demo 2.5.0: D", "other 1.0: E"]


def test_no_known_vulnerability_in_the_installed_dependencies(tmp_path: Path) -> None:
    folder = os.environ.get("OSV_ADVISORIES")
    if folder:
        records, hits = offline_findings(Path(folder), installed())
        assert records, f"OSV_ADVISORIES={folder} holds no advisory records"
        assert not hits, f"known vulnerabilities (local advisories, {records} records): {hits}"
        return
    report = tmp_path / "audit.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off",
         "--skip-editable", "--output", str(report)],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    if not report.is_file():
        pytest.skip(f"NOT AUDITED: pip-audit failed ({proc.stderr.strip()[-300:]}); set "
                    f"OSV_ADVISORIES to a local advisory copy or run online")
    deps = json.loads(report.read_text())["dependencies"]
    vulnerable = [f"{d['name']} {d['version']}: {[v['id'] for v in d['vulns']]}"
                  for d in deps if d.get("vulns")]
    assert not vulnerable, f"known vulnerabilities: {vulnerable}"
    skipped = [d for d in deps if "skip_reason" in d]
    if skipped:
        pytest.skip(f"NOT AUDITED: {len(skipped)} of {len(deps)} installed packages could not "
                    f"be checked (e.g. {skipped[0]['skip_reason']}). No vulnerability service "
                    f"answered; set OSV_ADVISORIES to a local copy of the PyPA advisory "
                    f"database (OSV JSON) or run `make test` online before a release.")
