"""The one-way flow holds: geodata and layers know nothing of Streamlit; one module does HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _py(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_geodata_and_layers_do_not_import_streamlit() -> None:
    for folder in ("geodata", "layers"):
        for path in _py(folder):
            assert "streamlit" not in _imports(path), path


def test_only_geodata_fetch_talks_http() -> None:
    users = [p.relative_to(ROOT).as_posix()
             for folder in ("geodata", "layers", "ui", "pages") for p in _py(folder)
             if {"requests", "urllib3", "httpx"} & _imports(p)]
    assert users == ["geodata/fetch.py"]


def test_geodata_does_not_import_the_layers_above_it() -> None:
    for path in _py("geodata"):
        assert not {"layers", "ui", "pages"} & _imports(path), path


def test_display_reprojection_and_escaping_live_in_layers() -> None:
    for folder in ("ui", "pages"):
        for path in _py(folder):
            text = path.read_text()
            assert "to_crs(" not in text, path
            assert "html.escape" not in text and "markupsafe" not in text, path


def test_pages_are_thin() -> None:
    """A page composes widgets and layers; logic belongs in geodata/, layers/ or ui/."""
    for path in _py("pages"):
        lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
        assert len(lines) < 60, f"{path.name} has {len(lines)} lines"
        tree = ast.parse(path.read_text())
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not {"pandas", "geopandas", "shapely", "numpy"} & _imports(path), path


def test_no_url_path_equals_a_page_file_name() -> None:
    """See ui/frame.py: otherwise a deep link on a fresh server skips the frame."""
    from ui.frame import all_pages

    stems = {p.stem for p in (ROOT / "pages").glob("*.py")}
    pages = all_pages()
    assert not stems & {url for _s, _t, _i, url, _d in pages}
    assert {f"pages/{s}.py" for s in stems} == {script for script, *_ in pages}
