"""The district profiles (profiles/): built once per session from the mirror's data (pages
and PDFs), with the app's figures, nothing from another host, within the byte budget,
hostile names as text in HTML, SVG and PDF, served by the app server at /profile/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.browser import ARTIFACTS, BROWSER, App, WireCount, in_browser, serve
from tests.helpers.mirror import fast_settings, renamed_store
from tests.helpers.net import http_get

pytestmark = BROWSER  # the PDFs are printed by Chromium

# URLs a built file may contain: XML namespace names (never fetched) and Leaflet's own
# attribution link in leaflet.js, which the pages switch off (attributionControl: false).
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink",
              "http://www.w3.org/1999/xhtml", "http://www.w3.org/XML/1998/namespace"}
URL = re.compile(rb"(?i)\b(?:https?|ftp)://[^\s\"'<>)]*|//[a-z0-9-]+\.[a-z]{2,}[/\"']")
BUDGET = 300_000  # bytes on the wire for a first visit to one profile page


def pdf_text(path: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: make system-deps")
    return subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_info(path: Path) -> dict[str, str]:
    exe = shutil.which("pdfinfo")
    if exe is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed: make system-deps")
    out = subprocess.run([exe, str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":")
                                                 for line in out.splitlines())}


@pytest.fixture(scope="module")
def site(profiles_site: Path) -> Path:
    return (profiles_site / "current").resolve()


def test_42_pages_and_42_pdfs_one_or_two_a4_pages_each(site: Path) -> None:
    manifest = json.loads((site / "manifest.json").read_text())
    assert len(manifest["districts"]) == 21
    for lang in ("de", "en"):
        pages = sorted(p.name for p in (site / lang).glob("*.html"))
        assert len(pages) == 22 and "index.html" in pages, lang  # 21 districts + index
    pdfs = sorted([*(site / "de").glob("*.pdf"), *(site / "en").glob("*.pdf")])
    assert len(pdfs) == 42  # each page printed, in its language
    for pdf in pdfs:
        info = pdf_info(pdf)
        assert info["Pages"] in {"1", "2"}, (pdf.name, info["Pages"])
        assert "A4" in info["Page size"] and info["Tagged"] == "yes", pdf.name
    text = pdf_text(site / "de" / "stadtmitte.pdf")
    assert "Stadtmitte" in text and "21.279" in text  # residents 2023
    assert "Lizenz" in text and "Datenstand 31.12.2023" in text  # sources on paper too
    english = pdf_text(site / "en" / "stadtmitte.pdf")
    assert "21,279" in english and "Residents" in english and "Einwohner" not in english


def test_stadtmitte_shows_the_figures_the_app_shows(site: Path, good_store: Path) -> None:
    from figures import profile
    from geodata import loaders

    settings = fast_settings(good_store, None)
    ind, city = loaders.indicators(settings), loaders.city_reference(settings)
    figures = {f.indicator: f for f in profile.key_figures(ind, city, "N", 2023)}
    de = (site / "de" / "stadtmitte.html").read_text()
    en = (site / "en" / "stadtmitte.html").read_text()
    # the same text the app's metric shows, in the page's language
    assert figures["einwohner"].value_text("de") == "21.279"
    assert figures["einwohner"].value_text("en") == "21,279"
    row = re.search(r"<tr><th scope=\"row\">Einwohnerinnen und Einwohner</th>(.*?)</tr>", de)
    assert row and "<td>21.279</td>" in row.group(1) and "Rang 1 von 21" in row.group(1)
    # the city column holds what the note under it says: the sum of the 21 districts (no
    # difference: a district's count minus the city's sum compares nothing)
    assert "<td>211.692</td><td>–</td>" in row.group(1)
    assert "<td>21,279</td>" in en and 'lang="en"' in en
    for f in figures.values():
        assert f"<td>{f.value_text('de')}</td>" in de, f.indicator
    # neighbours named and linked, the way into the app with the district chosen
    for name in ("Südstadt", "Brinckmansdorf", "Gehlsdorf", "Kröpeliner-Tor-Vorstadt"):
        assert f">{name}</a>" in de
    assert 'href="../../?district=N"' in de and 'href="index.html"' in de
    assert 'href="../../?district=N&amp;lang=en"' in en
    # each chart has its table twin, and the sources name licence and date
    assert de.count("<svg") == 2 and de.count("<details>") == 2
    assert "Lizenz: CC0 1.0" in de and "Datenstand 31.12.2023" in de
    # the age shares were not published for 2020–2022: the chart says why its lines break
    assert "Für 2020–2022 sind keine Werte veröffentlicht" in de
    assert "No figures were published for 2020–2022" in en


def test_valid_light_html(site: Path) -> None:
    from html.parser import HTMLParser

    class Check(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.ids: list[str] = []
            self.scripts: list[dict] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            a = dict(attrs)
            self.tags.append(tag)
            if "id" in a:
                self.ids.append(a["id"])
            if tag == "script":
                self.scripts.append(a)

    for page in [*(site / "de").glob("*.html"), *(site / "en").glob("*.html")]:
        html = page.read_text()
        check = Check()
        check.feed(html)
        assert html.startswith("<!doctype html>")
        assert re.search(r'<html lang="(de|en)">', html), page
        assert {"title", "main", "header", "nav", "footer", "h1"} <= set(check.tags), page
        assert check.tags.count("h1") == 1 and check.tags.count("main") == 1, page
        assert len(check.ids) == len(set(check.ids)), page
        # no inline script: every script is a file of the site or inert JSON data
        for script in check.scripts:
            assert script.get("src") or script.get("type") == "application/json", page


def test_every_link_within_the_site_leads_to_a_file(site: Path) -> None:
    """Links between pages, to assets and to each page's PDF; those leaving the site go
    to the app beside it (``../../``)."""
    from urllib.parse import unquote, urlsplit

    checked = 0
    for page in site.rglob("*.html"):
        for href in re.findall(r'(?:href|src)="([^"]+)"', page.read_text()):
            path = unquote(urlsplit(href).path)
            if not path or href.startswith("#"):
                continue
            assert not urlsplit(href).scheme, (page.name, href)  # nothing absolute
            if path == "../../":  # the app (the site is served at /profile/)
                assert page.parent.parent == site, (page.name, href)
                continue
            target = (page.parent / path).resolve()
            assert target.is_relative_to(site), (page.name, href)
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(site)} links {href}: not built"
            checked += 1
    assert checked > 44 * 10  # pages, neighbours, assets and PDFs were all followed


def test_no_external_url_in_any_built_file(site: Path) -> None:
    found = {}
    for path in site.rglob("*"):
        if not path.is_file() or path.suffix == ".gz":
            continue
        urls = {u.decode("latin-1") for u in URL.findall(path.read_bytes())} - NAMESPACES
        if path.name.startswith("leaflet.") and path.suffix == ".js":
            urls -= {"https://leafletjs.com"}
        if path.name.startswith("leaflet.") and path.suffix == ".css":
            urls = {u for u in urls if not u.startswith("https://bugzilla.mozilla.org")}
        if urls:
            found[str(path.relative_to(site))] = sorted(urls)
    assert not found, found
    js = next((site / "assets").glob("profile.*.js")).read_text()
    assert "attributionControl: false" in js


@in_browser
def test_the_app_server_serves_them_compressed_and_cached(app: App,
                                                          profiles_site: Path) -> None:
    def get(path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        return http_get(app.url + path, **headers)

    status, headers, _b = get("/profile/de/stadtmitte.html", **{"Accept-Encoding": "br"})
    assert (status, headers["content-encoding"], headers["cache-control"]) == \
        (200, "br", "no-cache")
    asset = next(p.name for p in (profiles_site / "current" / "assets").glob("map-de.*.json"))
    status, headers, _b = get(f"/profile/assets/{asset}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert "immutable" in headers["cache-control"]
    status, headers, body = get("/profile/de/stadtmitte.pdf")
    assert status == 200 and body.startswith(b"%PDF")
    assert get("/profile/")[0] == 200
    for bad in ("/profile/../store/stadtbereiche.json", "/profile/%2e%2e/store/x",
                "/profile/de/stadtmitte.html.gz", "/profile/nope.html"):
        assert get(bad)[0] in (400, 404), bad
    assert get("/robots.txt")[2].startswith(b"User-agent: *")


@in_browser
@pytest.mark.parametrize("path", ["de/stadtmitte.html", "en/warnemuende.html", "de/index.html"])
def test_a_first_visit_stays_within_300_kb_and_on_this_host(app: App, browser,
                                                            profiles_site: Path,
                                                            path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    page = context.new_page()
    wire = WireCount(page)
    urls: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{app.url}/profile/{path}")
    page.wait_for_selector("html[data-map-ready]", state="attached", timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert page.locator(".leaflet-interactive").count() >= 21
    total = wire.http
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(ARTIFACTS / f"profile-{path.replace('/', '-')}.png"),
                    full_page=True)
    context.close()
    assert total <= BUDGET, total
    assert all(u.startswith(app.url) for u in urls), urls
    assert not errors, errors
    assert wide <= 390  # nothing scrolls sideways on a phone


def test_the_presenters_qr_code_hands_a_district_step_its_profile(
        app_env: Path, profiles_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from presenter.tour import load_tour
    from tests.helpers.app import run_app

    monkeypatch.setenv("PRESENTER_BASE_URL", "http://rostock.example:8501")
    steps = load_tour().steps
    n = next(i for i, s in enumerate(steps, 1) if s.district)
    at = run_app("pages/vortrag.py", params_after_switch=True, step=str(n), auto="0")
    html = "\n".join(m.value for m in at.markdown)
    manifest = json.loads((profiles_site / "current" / "manifest.json").read_text())
    page = manifest["districts"][steps[n - 1].district]["de"]
    expected = f"http://rostock.example:8501/profile/{page}"
    assert f'data-url="{expected}"' in html


def test_the_apps_district_profile_links_its_profile_page(
        app_env: Path, profiles_site: Path) -> None:
    from tests.helpers.app import run_app

    at = run_app("pages/uebersicht.py", district="N")
    text = "\n".join(m.value for m in at.markdown)
    assert "[Steckbrief-Seite dieses Stadtbereichs](profile/de/stadtmitte.html)" in text
    at = run_app("pages/uebersicht.py", district="A", lang="en")
    assert "(profile/en/warnemuende.html)" in "\n".join(m.value for m in at.markdown)


def test_no_profile_link_before_the_profiles_are_built(
        store_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers.app import run_app

    shutil.rmtree(store_copy / "profiles", ignore_errors=True)
    monkeypatch.setenv("GEODATA_DIR", str(store_copy))
    monkeypatch.delenv("GEODATA_MIRROR", raising=False)
    at = run_app("pages/uebersicht.py", district="N")
    assert at.metric  # the profile is there …
    assert not any("profile/" in m.value for m in at.markdown)  # … without a dead link


# -- hostile names -------------------------------------------------------------------------------

CORPUS = {
    "A": '<img src=x onerror=alert("A")>',
    "B": '"><svg onload=alert("B")>',
    "C": "</script><script>alert('C')</script>",
    "D": '${alert("D")} `x` \\u003c',
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, good_store: Path) -> Path:
    """A store whose district names are the corpus, its profiles built (PDFs of two)."""
    from profiles.build import build
    from profiles.pdf import print_pdfs

    store = renamed_store(tmp_path_factory.mktemp("hostile") / "data", good_store, CORPUS)
    result = build(fast_settings(store, None), pdf=False)
    # built without PDFs: no page links one
    assert 'class="pdf"' not in (result.folder / hostile_page(store, "A")).read_text()
    print_pdfs(result.folder, [hostile_page(store, c) for c in ("A", "C")])
    return store


def test_the_profiles_are_stale_exactly_when_data_they_read_changed(
        site: Path, good_store: Path, hostile: Path, tmp_path: Path) -> None:
    """The server rebuilds stale profiles, so they never show older data than the app."""
    import geodata
    from profiles.build import DATASETS, is_stale

    good = geodata.checksums(fast_settings(good_store, None), DATASETS)
    changed = geodata.checksums(fast_settings(hostile, None), DATASETS)
    assert good["stadtbereiche"] and good["bevoelkerung"]  # a stored file has its checksum
    assert {i for i in DATASETS if good[i] != changed[i]} == {"stadtbereiche"}

    def with_good_build(store: Path) -> geodata.Settings:
        """A data folder with ``store``'s files and the good store's built profiles."""
        folder = tmp_path / store.name
        (folder / "profiles" / "current").mkdir(parents=True)
        (folder / "store").symlink_to(store / "store")
        shutil.copy(site / "manifest.json", folder / "profiles" / "current")
        return fast_settings(folder, None)

    assert not is_stale(with_good_build(good_store))
    assert is_stale(with_good_build(hostile))  # renamed districts: built again


def hostile_page(store: Path, code: str, lang: str = "de") -> str:
    manifest = json.loads((store / "profiles" / "current" / "manifest.json").read_text())
    return manifest["districts"][code][lang]


def svg_is_inert(svg: str) -> bool:
    import xml.etree.ElementTree as ET

    for element in ET.fromstring(svg).iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in {"script", "img", "foreignobject", "iframe"}:
            return False
        if any(name.rsplit("}", 1)[-1].lower().startswith("on") for name in element.attrib):
            return False
    return True


def test_hostile_names_stay_text_in_html_svg_and_pdf(hostile: Path) -> None:
    import html as html_lib

    site = (hostile / "profiles" / "current").resolve()
    for code, payload in CORPUS.items():
        rel = hostile_page(hostile, code)
        assert re.fullmatch(r"de/[a-z0-9-]+\.html", rel), rel
        html = (site / rel).read_text()
        if "<" in payload:
            assert payload not in html  # never as markup …
        assert "<img" not in html and "<svg onload" not in html
        assert "</script><script>" not in html
        heading = re.search(r"<h1>(.*?)</h1>", html).group(1)
        assert html_lib.unescape(heading) == payload  # … but shown as typed
        svgs = re.findall(r"<svg.*?</svg>", html, re.S)
        assert len(svgs) == 2 and all(svg_is_inert(svg) for svg in svgs), code
        # the chart's accessible name carries the name as text
        assert any(html_lib.escape(payload, quote=True)[:12] in svg or
                   payload[:5] in html_lib.unescape(svg) for svg in svgs), code
    index = (site / "de" / "index.html").read_text()
    assert not any(p in index for p in CORPUS.values())
    for code in ("A", "C"):
        pdf = site / hostile_page(hostile, code).replace(".html", ".pdf")
        assert CORPUS[code] in pdf_text(pdf).replace("\n", " "), code


@pytest.fixture(scope="module")
def hostile_app(hostile: Path) -> Iterator[App]:
    ARTIFACTS.mkdir(exist_ok=True)
    yield from serve(hostile)


@in_browser
def test_hostile_names_run_no_script_in_the_browser(hostile_app: App, browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    labels: list[str] = []
    for path in ["de/index.html", *(hostile_page(hostile_app.store, c) for c in CORPUS)]:
        page.goto(f"{hostile_app.url}/profile/{path}")
        page.wait_for_selector("html[data-map-ready]", state="attached", timeout=30_000)
        labels += page.locator(".leaflet-tooltip").all_inner_texts()
        injected = page.evaluate("""() => ({
            img: document.querySelectorAll('img').length,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes]
                .some(a => a.name.startsWith('on'))).length,
            scripts: [...document.scripts].filter(s => !s.src && s.type !== 'application/json')
                .length})""")
        assert injected == {"img": 0, "handlers": 0, "scripts": 0}, (path, injected)
    # the search lists them by name: as typed, and inert
    page.fill("#q", "alert")
    page.wait_for_function("document.querySelectorAll('#search-results li').length >= 4")
    found = page.locator("#search-results li a").all_inner_texts()
    assert set(CORPUS.values()) <= set(found), found
    assert page.evaluate("document.querySelectorAll('#search-results img, "
                         "#search-results svg, #search-results script').length") == 0
    context.close()
    assert not dialogs, dialogs
    # the map names neighbours with permanent labels: hostile ones appear as typed
    assert set(CORPUS.values()) & set(labels), labels
