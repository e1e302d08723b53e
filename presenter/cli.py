"""``make present``: check the store for a tour, then start the presenter view offline.

    python -m presenter check [TOUR] [--max-age-days N]   # before the event; exit 1 = not ready
    python -m presenter serve [--tour TOUR] [--port 8501] [--strict]

``serve`` never reaches beyond this machine: it sets offline mode (GEODATA_OFFLINE=1), takes
what the tour needs from the mirror when one is configured (a folder, or a server on
loopback), and otherwise shows what the store already has.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import geodata

from .tour import Tour, TourError, describe, load_tour, presenter_settings, readiness, step_problems


def _tour_path(arg: str | None) -> Path:
    if arg:
        return Path(arg).resolve()
    return presenter_settings().tour


def _load(tour_arg: str | None) -> Tour | None:
    """The tour, or None after saying on stderr why the script is invalid."""
    try:
        return load_tour(_tour_path(tour_arg))
    except TourError as exc:
        print(f"The tour script is invalid: {exc}", file=sys.stderr)
        return None


def check(tour_arg: str | None, max_age_days: float | None) -> int:
    """Print what the tour needs and whether the store has it, fresh enough; 0 = ready."""
    tour = _load(tour_arg)
    if tour is None:
        return 2
    settings = geodata.load_settings()
    limit = max_age_days if max_age_days is not None else presenter_settings().max_age_days
    rows = readiness(tour, settings, limit)
    print(f"Tour {tour.path.name}: {len(tour.steps)} steps; store {settings.data_dir}")
    print(describe(rows))
    problems = step_problems(tour, settings)
    for line in problems:
        print(f"  ! {line}")
    missing = [r.dataset for r in rows if r.status == "missing"]
    stale = [r.dataset for r in rows if r.status == "stale"]
    if missing:
        print(f"MISSING: {', '.join(missing)} — run `python -m geodata refresh --only "
              f"{' '.join(missing)}` while online, or point GEODATA_MIRROR at a mirror.")
    if stale:
        print(f"STALE (not checked for over {limit:g} days): {', '.join(stale)}")
    if not (missing or stale or problems):
        print("READY: every dataset the tour needs is here and fresh.")
    return 1 if missing or stale or problems else 0


def serve(tour_arg: str | None, port: int, strict: bool, extra: list[str]) -> int:
    os.environ["GEODATA_OFFLINE"] = "1"
    if tour_arg:
        os.environ["PRESENTER_TOUR"] = str(Path(tour_arg).resolve())
    tour = _load(tour_arg)
    if tour is None:
        return 2
    settings = geodata.load_settings()
    if settings.mirror:
        print(f"Taking the tour's data from the mirror {settings.mirror} …")
        try:
            outcomes = geodata.refresh(sorted(tour.datasets()), settings)
        except geodata.MirrorError as exc:
            print(f"  ✗ {exc}")
            outcomes = []
        for outcome in outcomes:
            mark = "✓" if outcome.ok else "✗"
            print(f"  {mark} {outcome.dataset}: {outcome.message}")
    status = check(tour_arg, None)
    if status and strict:
        print("Not starting (--strict).", file=sys.stderr)
        return status
    print(f"\nPresenter view: http://localhost:{port}/praesentation  "
          "(keys: arrows, Page Up/Down, space; F: full screen)\n")
    from server.serve import main as serve_main

    return serve_main(["--server.port", str(port), *extra])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m presenter", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    c = sub.add_parser("check", help="is every dataset of the tour in the store and fresh?")
    c.add_argument("tour", nargs="?")
    c.add_argument("--max-age-days", type=float)
    s = sub.add_parser("serve", help="start the presenter view with no network")
    s.add_argument("--tour")
    s.add_argument("--port", type=int, default=8501)
    s.add_argument("--strict", action="store_true", help="do not start when not ready")
    args, extra = parser.parse_known_args(argv)
    if args.command == "check":
        return check(args.tour, args.max_age_days)
    if args.command == "serve":
        return serve(args.tour, args.port, args.strict, extra)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
