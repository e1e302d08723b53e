"""The layout holds: each kind of code in its room, imports run one way, no circles.

    text, geodata  →  layers  →  figures  →  profiles  →  app, server  →  ui  →  presenter  →  pages

(an arrow: "may be imported by"). geodata and layers know nothing of Streamlit; one module
does HTTP; pydeck and folium live in layers, Altair in figures; ui holds Streamlit blocks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each package of the app and the packages of ours it may import.
MAY_IMPORT: dict[str, set[str]] = {
    "text": set(),
    "geodata": set(),
    "layers": {"geodata", "text"},
    "figures": {"geodata", "layers", "text"},
    "profiles": {"geodata", "layers", "figures", "text"},
    "app": {"geodata", "text"},
    "server": {"geodata", "layers", "text", "profiles"},
    "ui": {"geodata", "layers", "figures", "text", "app", "server"},
    "presenter": {"geodata", "layers", "text", "app", "server", "ui"},
    "pages": {"geodata", "ui", "presenter"},
}
OURS = set(MAY_IMPORT) | {"dashboard"}


def _imports(path: Path) -> set[str]:
    """Top-level names of every module this file imports (absolute imports)."""
    return {name.split(".")[0] for name in _modules(path)}


def _modules(path: Path) -> set[str]:
    """Full dotted names this file imports, relative imports resolved."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parents = parts[: len(parts) - node.level + 1]
                base = ".".join([*parents, base] if base else parents)
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}
    return names


def _py(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


APP_FILES = [p for folder in MAY_IMPORT for p in _py(folder)] + [ROOT / "dashboard.py"]


def test_geodata_and_layers_do_not_import_streamlit() -> None:
    for folder in ("geodata", "layers", "figures", "text", "app", "profiles"):
        for path in _py(folder):
            assert "streamlit" not in _imports(path), path


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_imports_run_one_way(package: str) -> None:
    """No package imports one above it (or beside it, unless listed)."""
    for path in _py(package):
        ours = (_imports(path) & OURS) - {package}
        assert ours <= MAY_IMPORT[package], f"{path.relative_to(ROOT)} imports {ours}"


def test_no_two_modules_import_each_other() -> None:
    """No circle of any length between the app's modules."""
    modules = {_module_name(p): p for p in APP_FILES}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for imported in _modules(path):
            # "from geodata import loaders" names the module geodata.loaders
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                deps.add(imported)
        graph[name] = deps
    # A package's __init__ hands names on from its own modules: that is no circle.
    def edges(name: str) -> set[str]:
        return {d for d in graph[name] if not (name.startswith(d + ".") and
                                              modules[d].name == "__init__.py")}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for dep in sorted(edges(name)):
            if state.get(dep) == 1:
                circle = [*stack[stack.index(dep):], dep]
                raise AssertionError("import circle: " + " → ".join(circle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_renderers_live_in_their_rooms() -> None:
    """pydeck and folium only in layers/, Altair and vl-convert only in figures/."""
    rooms = {"pydeck": {"layers"}, "folium": {"layers"}, "branca": {"layers"},
             "altair": {"figures"}, "vl_convert": {"figures"}}
    for path in APP_FILES:
        room = path.relative_to(ROOT).parts[0]
        for library in _imports(path) & set(rooms):
            assert room in rooms[library], f"{path.relative_to(ROOT)} imports {library}"


def test_ui_holds_streamlit_blocks_only() -> None:
    """Every module of ui/ draws with Streamlit; plain models live in app/ or presenter/."""
    for path in _py("ui"):
        if path.name == "__init__.py":
            continue
        assert "streamlit" in _imports(path), f"{path.name} is no Streamlit block"


def test_only_geodata_fetch_talks_http() -> None:
    users = [p.relative_to(ROOT).as_posix() for p in APP_FILES
             if {"requests", "urllib3", "httpx"} & _imports(p)]
    assert users == ["geodata/fetch.py"]


def test_display_reprojection_and_escaping_live_in_layers() -> None:
    """Reprojection for display happens in layers/ (``layers.geometry``), escaping in
    ``text.escape``: nobody else calls to_crs or an HTML escaper."""
    for folder in ("ui", "pages", "figures", "presenter", "server", "app", "profiles"):
        for path in _py(folder):
            text = path.read_text()
            assert "to_crs(" not in text, path
            assert "html.escape" not in text and "markupsafe" not in text, path



def test_charts_are_shown_one_way() -> None:
    """Only ``ui.widgets.chart`` hands a chart to Streamlit: called directly, Streamlit fits
    title and legend into the chart's height and a short chart's marks vanish."""
    callers = [p.relative_to(ROOT).as_posix() for p in APP_FILES
               if re.search(r"\.(altair_chart|vega_lite_chart)\(", p.read_text())]
    assert callers == ["ui/widgets.py"]


def test_pages_are_thin() -> None:
    """A page composes widgets and layers; logic belongs in geodata/, layers/ or ui/."""
    for path in _py("pages"):
        lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
        assert len(lines) < 60, f"{path.name} has {len(lines)} lines"
        tree = ast.parse(path.read_text())
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not {"pandas", "geopandas", "shapely", "numpy"} & _imports(path), path


def test_no_url_path_equals_a_page_file_name() -> None:
    """See app/pages.py: otherwise a deep link on a fresh server skips the frame."""
    from ui.frame import all_pages

    stems = {p.stem for p in (ROOT / "pages").glob("*.py")}
    pages = all_pages()
    assert not stems & {url for _s, _t, _i, url, _d in pages}
    assert {f"pages/{s}.py" for s in stems} == {script for script, *_ in pages}
    # a page script named like a package would import itself instead of the package
    assert not stems & set(MAY_IMPORT)


def test_every_package_ships() -> None:
    """A new package must reach the installed app and the image, not only this checkout."""
    import tomllib

    packages = set(MAY_IMPORT) - {"pages"}
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = set(config["tool"]["setuptools"]["packages"]["find"]["include"])
    assert {f"{p}*" for p in packages} <= include
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    for package in sorted(packages | {"pages", "tours"}):
        assert f"COPY {package} ./{package}" in dockerfile, package
