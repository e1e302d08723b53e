"""``python -m profiles build [--no-pdf]`` (``make site``): build the district profiles from
the store into ``<data folder>/profiles/current``; ``python -m profiles status``."""

from __future__ import annotations

import argparse

import geodata

from .build import build, current, is_stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m profiles")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("build", help="build pages and PDFs from the stored data")
    make.add_argument("--no-pdf", action="store_true", help="pages only (no Chromium)")
    sub.add_parser("status", help="where the profiles are and whether they are current")
    args = parser.parse_args(argv)
    settings = geodata.load_settings()
    if args.command == "status":
        folder = current(settings)
        state = "missing" if not folder.exists() else (
            "older than the data" if is_stale(settings) else "current")
        print(f"{folder.resolve() if folder.exists() else folder}: {state}")
        return 0 if state == "current" else 1
    result = build(settings, pdf=not args.no_pdf)
    print(f"{len(result.pages)} pages and {len(result.pdfs)} PDFs in {result.seconds:.1f} s "
          f"→ {current(settings)}")
    return 0
