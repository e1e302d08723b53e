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
