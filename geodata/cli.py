"""``python -m geodata refresh|status``: fill the store from the official hosts or a mirror."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from collections.abc import Sequence

from tqdm import tqdm

from . import catalogue
from .config import load_settings
from .errors import MirrorError
from .reference import compact
from .refresh import refresh
from .store import open_store


def _cmd_refresh(args: argparse.Namespace) -> int:
    settings = load_settings(mirror=args.mirror, data_dir=args.data_dir)
    cat = catalogue.load_catalogue()
    for dataset_id in args.only or []:
        if dataset_id not in cat:
            print(f"Unknown dataset {dataset_id!r}. Known: {', '.join(cat)}", file=sys.stderr)
            return 2
    source = settings.mirror or "the official hosts"
    print(f"Refreshing from {source} into {open_store(settings).describe()}")
    chosen = args.only or [
        d.id for d in cat.values()
        if (d.mirrored or args.all or not settings.mirror)
        and not (d.mirror_only and not settings.mirror) and not d.packaged
    ]
    total = sum(len(cat[i].parts) for i in chosen)
    with tqdm(total=total, unit="file", disable=True if args.quiet else None,
              file=sys.stderr, mininterval=0.2,
              bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} files [{elapsed}]") as bar:
        def progress(dataset_id: str, done: int, parts: int) -> None:
            bar.set_description(dataset_id)
            bar.update(1)

        try:
            outcomes = refresh(chosen, settings, progress)
        except MirrorError as exc:
            print(exc, file=sys.stderr)
            return 1
    failed = 0
    for o in outcomes:
        mark = {"updated": "✓", "unchanged": "=", "failed": "✗"}[o.status]
        print(f"{mark} {o.dataset:<26} {o.status:<9} {o.seconds:6.2f} s  {o.message}")
        failed += not o.ok
    if failed:
        print(f"{failed} dataset(s) failed; their previous copies were kept.", file=sys.stderr)
    return 1 if failed else 0


def _cmd_status(args: argparse.Namespace) -> int:
    settings = load_settings(data_dir=args.data_dir)
    store = open_store(settings)
    rows = [("dataset", "data date", "retrieved", "rows", "source", "licence", "last error")]
    for ds in catalogue.load_catalogue().values():
        meta = store.meta(ds.id) or {}
        if ds.packaged:
            rows.append((ds.id, "–", "packaged", "–", ds.package, ds.licence, ""))
            continue
        have = store.has(ds.id)
        rows.append((
            ds.id,
            (compact(meta.get("reference")) or "no date in data") if have else "no copy",
            str(meta.get("retrieved_at") or "–")[:10] if have else "–",
            f"{meta['rows']:,}".replace(",", ".") if store.has(ds.id) else "–",
            ds.official_url or "(mirror only)",
            ds.licence,
            meta.get("last_error") or "",
        ))
    width = shutil.get_terminal_size((160, 20)).columns
    widths = [max(len(str(r[i])) for r in rows) for i in range(6)]
    for r in rows:
        head = "  ".join(str(c).ljust(w) for c, w in zip(r[:6], widths, strict=True))
        err = textwrap.shorten(r[6], max(20, width - len(head) - 2)) if r[6] else ""
        print(f"{head}  {err}".rstrip())
    print(f"\nstore: {store.describe()} ({store.size_bytes() / 1e6:.2f} MB)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata", description=__doc__)
    parser.add_argument("--data-dir", help="store folder (default: GEODATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_ref = sub.add_parser("refresh", help="download, validate and store datasets")
    p_ref.add_argument("--only", nargs="+", metavar="ID", help="only these datasets")
    p_ref.add_argument("--mirror", help="folder or http:// base replacing scheme://host")
    p_ref.add_argument("--all", action="store_true",
                       help="with a mirror, also try datasets the mirror does not carry")
    p_ref.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p_ref.set_defaults(func=_cmd_refresh)
    p_stat = sub.add_parser("status", help="what the store holds")
    p_stat.set_defaults(func=_cmd_status)
    args = parser.parse_args(argv)
    return int(args.func(args))
