"""Hostile input, round 2: what an attacker or an unlucky operator puts into the mirror.

Links out of a mirror folder, files too large to read, an .xlsx zip bomb, a refresh killed
half-way, a missing mirror folder, a web page instead of data, a table that breaks the
parser: each is refused with one short sentence that names the dataset, quotes at most a
short sanitised excerpt of any file, and keeps the previous good copy.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from geodata import Store, catalogue, refresh
from geodata.catalogue import Limits
from geodata.errors import ValidationError, excerpt
from geodata.validate import check_archive
from tests.helpers.mirror import MIRROR, ROOT, Fault, MirrorServer, fast_settings, needs_mirror
from tests.helpers.net import holds, poll_until
from tests.helpers.store import refused_keeping_copy

pytestmark = needs_mirror

OPENDATA = "geo.sv.rostock.de/download/opendata"
POP_2023 = "bevoelkerungsstruktur_2023/bevoelkerungsstruktur_2023_insgesamt.csv"
XLSX_2016 = "bevoelkerungsstruktur_2016/bevoelkerungsstruktur_2016_alter.xlsx"
DISTRICTS = "stadtbereiche/stadtbereiche.json"
SECRET = "DB_PASSWORD=hunter2-do-not-leak-7f3a"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geodata", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=300,
                          env={**os.environ, **(env or {})})


def _folder_mirror(target: Path, *folders: str) -> Path:
    """A mirror folder of our own with copies of some of the real mirror's folders."""
    for folder in folders:
        shutil.copytree(MIRROR / OPENDATA / folder, target / OPENDATA / folder)
    return target


def _bytes_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


# -- 1. links out of the mirror folder --------------------------------------------------------


def _link_out(mirror: Path, outside: Path, how: str) -> None:
    """Put a secret where the 2023 population table belongs, by a link leading out."""
    table = mirror / OPENDATA / POP_2023
    secret = f"{SECRET}\nDB_HOST=db.internal\n"
    if how == "file":
        outside.mkdir()
        (outside / ".env").write_text(secret)
        table.unlink()
        table.symlink_to(outside / ".env")
    else:  # the year's whole folder is a link to a folder elsewhere
        shutil.move(table.parent, outside)
        (outside / table.name).write_text(secret)
        table.parent.symlink_to(outside, target_is_directory=True)


@pytest.mark.parametrize("how", ["file", "folder"])
def test_a_link_out_of_the_mirror_is_refused_and_nothing_of_it_leaks(
        tmp_path: Path, store_copy: Path, how: str) -> None:
    mirror = _folder_mirror(tmp_path / "mirror", *(p.name for p in (MIRROR / OPENDATA).glob(
        "bevoelkerungsstruktur_*")))
    _link_out(mirror, tmp_path / "outside", how)
    message = refused_keeping_copy(store_copy, str(mirror), "bevoelkerung",
                                   "bevoelkerungsstruktur_2023_", "csv in the mirror folder "
                                   "is reached through a link that leads outside it")
    # Everything the operator and the public can see: the sentence, the record, the CLI's
    # output (refresh and status), and every file the refresh left in the data folder.
    cli = _cli("--data-dir", str(store_copy), "refresh", "--only", "bevoelkerung", "-q",
               "--mirror", str(mirror))
    status = _cli("--data-dir", str(store_copy), "status")
    assert cli.returncode == 1 and "a link that leads outside" in cli.stdout
    for seen in (message, cli.stdout + cli.stderr, status.stdout + status.stderr,
                 _bytes_under(store_copy).decode("latin-1")):
        assert "hunter2" not in seen and "DB_PASSWORD" not in seen and "db.internal" not in seen
        assert str(tmp_path / "outside") not in seen  # not even where the link leads


def test_a_link_inside_the_mirror_is_followed(tmp_path: Path) -> None:
    """Links within the mirror (one file for two URLs) stay allowed."""
    mirror = tmp_path / "mirror"
    (mirror / "elsewhere").mkdir(parents=True)
    shutil.copy(MIRROR / OPENDATA / DISTRICTS, mirror / "elsewhere" / "districts.json")
    target = mirror / OPENDATA / DISTRICTS
    target.parent.mkdir(parents=True)
    target.symlink_to(mirror / "elsewhere" / "districts.json")
    (outcome,) = refresh(["stadtbereiche"], fast_settings(tmp_path / "data", str(mirror)))
    assert outcome.status == "updated", outcome.message


def test_error_sentences_quote_only_short_clean_excerpts(store_copy: Path, server) -> None:
    """A table whose header is long, many and full of control characters (an ANSI escape,
    a line break, a bidi override) is named by a few short, clean excerpts."""
    names = [f"col{i}_" + "x" * 90 + "\x1b[31m\u202e" for i in range(40)]
    body = (",".join(names) + "\n" + ",".join("1" for _ in names) + "\n").encode()
    server.faults[POP_2023] = Fault(body=body)
    message = refused_keeping_copy(store_copy, server.url, "bevoelkerung",
                                   "lacks the required column", "and 32 more")
    assert len(message) <= 420
    assert "x" * 33 not in message and "col8_" not in message
    assert not any(ch in message for ch in "\x1b\u202e\r\n\t")
    assert excerpt("a\nb\x00c" + "d" * 100) == "'a b c" + "d" * 34 + "…'"


# -- 2. size limits ---------------------------------------------------------------------------


def test_the_limits_are_in_the_catalogue_with_a_default() -> None:
    default = catalogue.default_limits()
    assert (default.max_file_mb, default.max_unpacked_mb, default.max_members) == (16, 32, 100)
    assert catalogue.get("bevoelkerung").limits.max_file_mb == 2
    assert catalogue.get("baeume").limits.max_file_mb == 96
    assert catalogue.get("stadtbereiche").limits == default
    # Every real file of the mirror fits its dataset's limit with room to spare.
    for ds in catalogue.load_catalogue().values():
        for part in ds.parts:
            path = Path(str(part.source(str(MIRROR))))
            if path.is_file():
                assert path.stat().st_size * 4 < ds.limits.file_bytes, path


def test_an_oversized_file_in_a_mirror_folder_is_refused_unread(
        tmp_path: Path, store_copy: Path) -> None:
    mirror = tmp_path / "mirror"
    big = mirror / OPENDATA / DISTRICTS
    big.parent.mkdir(parents=True)
    with big.open("wb") as fh:  # 200 MB that take no disk space (a sparse file)
        fh.write(b'{"type": "FeatureCollection", "features": [')
        fh.truncate(200_000_000)
    started = time.perf_counter()
    refused_keeping_copy(store_copy, str(mirror), "stadtbereiche", "stadtbereiche.json",
                         "is 200.0 MB", "limit of 16 MB", "max_file_mb", "not read")
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
def test_an_oversized_download_is_refused(store_copy: Path, server, announced: bool) -> None:
    """Announced by Content-Length: refused before the body is read. Not announced: the
    download stops as soon as more than the limit has arrived."""
    server.faults[POP_2023] = Fault(body=b"stadtbereich_code,x\n" + b"A,1\n" * 600_000,
                                    length=announced)
    words = ["is 2.4 MB", "not read"] if announced else ["larger than", "reading stopped"]
    refused_keeping_copy(store_copy, server.url, "bevoelkerung",
                         "bevoelkerungsstruktur_2023_insgesamt.csv", "limit of 2 MB", *words)


def _xlsx_with_sheet(rows: int | None) -> bytes:
    """The portal's 2016 age table zipped anew (new bytes, same table), or with its sheet
    replaced by ``rows`` rows: with 4 million rows a file of about 1.5 MB unpacks to 448 MB
    of XML (a zip bomb)."""
    real = zipfile.ZipFile(MIRROR / OPENDATA / XLSX_2016)
    out = io.BytesIO()
    row = (b'<row><c t="inlineStr"><is><t>Warnem\xc3\xbcnde</t></is></c><c><v>8512</v></c>'
           b'<c><v>889</v></c><c><v>17.5</v></c></row>') * 10_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for info in real.infolist():
            if rows is None or info.filename != "xl/worksheets/sheet1.xml":
                zf.writestr(info, real.read(info), zipfile.ZIP_DEFLATED, 6)
                continue
            with zf.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                for _ in range(rows // 10_000):
                    sheet.write(row)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


MEASURE = """
import json, resource, sys, time
from pathlib import Path
from geodata import refresh
from tests.helpers.mirror import fast_settings
started = time.perf_counter()
(outcome,) = refresh([sys.argv[1]], fast_settings(Path(sys.argv[2]), sys.argv[3]))
print(json.dumps({"status": outcome.status, "message": outcome.message,
                  "seconds": round(time.perf_counter() - started, 2),
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def _measured_refresh(dataset: str, data_dir: Path, mirror: str) -> dict:
    """A refresh in a process of its own: its outcome, time and peak memory (max RSS)."""
    done = subprocess.run([sys.executable, "-c", MEASURE, dataset, str(data_dir), mirror],
                          cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_xlsx_zip_bomb_is_refused_within_seconds_and_bounded_memory(
        tmp_path: Path, store_copy: Path, server) -> None:
    bomb = _xlsx_with_sheet(4_000_000)
    assert len(bomb) < 2_000_000
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert unpacked > 400e6
    before = Store(fast_settings(store_copy, None)).meta("bevoelkerung")
    # The same refresh with an ordinary, changed xlsx: every table is parsed again.
    baseline_dir = tmp_path / "baseline"
    shutil.copytree(store_copy, baseline_dir)
    server.faults[XLSX_2016] = Fault(body=_xlsx_with_sheet(None))
    ordinary = _measured_refresh("bevoelkerung", baseline_dir, server.url)
    assert ordinary["status"] == "updated", ordinary
    server.faults[XLSX_2016] = Fault(body=bomb)
    bombed = _measured_refresh("bevoelkerung", store_copy, server.url)
    print(f"\nzip bomb ({len(bomb) / 1e6:.1f} MB → {unpacked / 1e6:.0f} MB): {bombed}"
          f"\nordinary xlsx: {ordinary}")
    assert bombed["status"] == "failed"
    assert (f"bevoelkerungsstruktur_2016_alter.xlsx unpacks to {unpacked / 1e6:,.1f} MB, more "
            "than the limit of 4 MB for this dataset (max_unpacked_mb in geodata/catalogue"
            ".toml)") in bombed["message"]
    assert bombed["seconds"] < 30
    assert bombed["peak_mb"] < ordinary["peak_mb"] + 50
    after = Store(fast_settings(store_copy, None)).meta("bevoelkerung")
    assert after["file_sha256"] == before["file_sha256"]
    assert after["last_error"] == bombed["message"]


def test_an_archive_with_too_many_members_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(101):
            zf.writestr(f"m{i}.xml", "")
    limits = Limits(max_file_mb=1, max_unpacked_mb=1, max_members=100)
    with pytest.raises(ValidationError, match=r"many\.xlsx holds 101 files, more than "
                       r"the limit of 100 files for this dataset"):
        check_archive("bevoelkerung", path, "many.xlsx", limits)
    path.write_bytes(b"PK not really a zip")
    with pytest.raises(ValidationError, match="not a zip archive"):
        check_archive("bevoelkerung", path, "many.xlsx", limits)


# -- 4. a refresh killed half-way -------------------------------------------------------------


def _staging(data_dir: Path, dataset: str) -> list[Path]:
    return sorted((data_dir / "raw" / dataset).glob(".staging-*"))


def test_the_next_refresh_removes_what_a_killed_one_left(tmp_path: Path, server) -> None:
    slow = MirrorServer(MIRROR)
    slow.faults[".txt"] = Fault(delay=0.3)  # every CLIMAT month takes a while
    data_dir = tmp_path / "data"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "geodata", "--data-dir", str(data_dir), "refresh", "-q",
             "--only", "klima_warnemuende", "--mirror", slow.url],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        poll_until(lambda: any(any(s.iterdir()) for s in _staging(data_dir,
                                                                   "klima_warnemuende")),
                   60, "the refresh to download its first files")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        slow.close()
    assert _staging(data_dir, "klima_warnemuende"), "the kill left nothing to clean up"
    (outcome,) = refresh(["klima_warnemuende"], fast_settings(data_dir, server.url))
    assert outcome.status == "updated", outcome.message
    assert _staging(data_dir, "klima_warnemuende") == []


def test_a_running_refresh_keeps_its_staging(tmp_path: Path, server) -> None:
    """Leftovers are only removed under the dataset's lock: while another refresh holds it,
    its staging folder stays."""
    settings = fast_settings(tmp_path / "data", server.url)
    store = Store(settings)
    live = store.raw / "klima_mv" / ".staging-live"
    live.mkdir(parents=True)
    (live / "regional_averages_tm_year.txt").write_text("half")
    release = threading.Event()
    held = threading.Event()

    def running_refresh() -> None:
        with store.lock("klima_mv"):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=running_refresh)
    holder.start()
    assert held.wait(10), "the first refresh did not take the lock"
    outcomes: list = []
    waiting = threading.Thread(target=lambda: outcomes.extend(refresh(["klima_mv"], settings)))
    waiting.start()
    assert holds(live.is_dir, 1.0)
    release.set()
    holder.join(10)
    waiting.join(60)
    assert outcomes and outcomes[0].status == "updated", outcomes
    assert not live.exists()


# -- 8. smaller things --------------------------------------------------------------------------


def test_a_missing_mirror_folder_is_one_sentence(tmp_path: Path, store_copy: Path) -> None:
    before = (store_copy / "store" / "stadtbereiche.json").read_text()
    done = _cli("--data-dir", str(store_copy), "refresh", "--mirror", str(tmp_path / "nope"))
    assert done.returncode == 1
    lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip()]
    problems = [ln for ln in lines if "not found" in ln or "no file" in ln or "✗" in ln]
    assert problems == [f"mirror: the mirror folder {tmp_path / 'nope'} was not found "
                        "(GEODATA_MIRROR or --mirror), so nothing was refreshed."], lines
    assert (store_copy / "store" / "stadtbereiche.json").read_text() == before


@pytest.mark.parametrize("page", [
    b"<!DOCTYPE html>\n<html><head><title>Wartung</title></head><body>Bitte sp\xc3\xa4ter",
    b"\n  <html lang=de><body>Anmeldung erforderlich</body></html>",
])
def test_a_web_page_instead_of_json_is_named_as_such(store_copy: Path, server,
                                                      page: bytes) -> None:
    server.faults[DISTRICTS] = Fault(body=page)
    message = refused_keeping_copy(store_copy, server.url, "stadtbereiche", "stadtbereiche.json",
                                   "web page (HTML)")
    assert "truncated" not in message and "Wartung" not in message


def test_a_table_the_parser_cannot_split_gives_one_line(store_copy: Path, server) -> None:
    text = (MIRROR / OPENDATA / POP_2023).read_text().splitlines()
    text[3] += ",1,2,3"  # a row with more fields than the header: pandas' tokenizer error
    server.faults[POP_2023] = Fault(body="\n".join(text).encode())
    refused_keeping_copy(store_copy, server.url, "bevoelkerung", "cannot be read as a table",
                         "Expected 4 fields in line 4, saw 7")


def test_generated_files_are_replaced_whole_even_with_two_writers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replicas share a data folder: two processes writing the basemap style or a
    compressed copy at once must leave one whole file, never a mix, and a write that
    fails keeps the old file."""
    from geodata.storage import write_bytes_atomic

    target = tmp_path / "static" / "style.json"
    size = 256 * 1024
    seen: list[bytes] = []
    stop = threading.Event()

    def writer(byte: int) -> None:
        for _ in range(15):
            write_bytes_atomic(target, bytes([byte]) * size)

    def reader() -> None:
        while not stop.is_set():
            if target.exists():
                seen.append(target.read_bytes())

    threads = [threading.Thread(target=writer, args=(b,)) for b in b"abcdef"]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    final = target.read_bytes()
    assert len(final) == size and len(set(final)) == 1
    assert seen and all(len(d) == size and len(set(d)) == 1 for d in seen)
    assert oct(target.stat().st_mode & 0o777) == "0o644"

    def full_disk(*_a: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("geodata.storage.os.replace", full_disk)
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"half")
    assert target.read_bytes() == final
    assert sorted(p.name for p in target.parent.iterdir()) == ["style.json"]
