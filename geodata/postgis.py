"""PostGIS store: the file store's methods on one database that several app replicas share.

Layout in the schema (default ``geodata``):

- ``datasets``: one row per dataset: the current table, its columns with their pandas
  dtypes, and the record (Stand, source, licence, ``file_sha256``, last error) as jsonb;
- ``<id>_v<n>``: one table per refresh, ``_row`` (the frame's row order) and typed columns,
  the geometry as ``geometry(<type>, <srid>)`` with a GiST index;
- ``<id>``: a view on the current table, commented with title, licence and Stand, for QGIS
  and SQL users.

A refresh creates its new table, fills it and switches row, view and old table in ONE
transaction: until it commits nobody sees the new table, and when anything fails (or the
process dies) PostgreSQL rolls all of it back, so the previous data stay in charge and
nothing is left behind. A load holds a shared advisory lock while it reads the row and the
table; the switch takes that lock exclusively for its last statements. So a load never mixes
two refreshes, nor finds its table dropped under it, and readers wait only for the switch,
never for a download.

Frames come back exactly as they went in (same columns, order, dtypes, values, geometry
bit for bit): ``file_sha256`` is the checksum of the frame as the file store would write it,
so both stores give the app the same cache key for the same data.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from pandas.api import types as ptypes
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from .config import Settings
from .errors import GeodataError, StoreError, excerpt
from .reference import compact
from .storage import frame_checksum, now

log = logging.getLogger(__name__)

ROW = "_row"  # the frame's row order; also the primary key QGIS wants
_POOLS: dict[str, ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()
_READY: set[tuple[str, str]] = set()  # (url, schema) whose tables exist


def _pool(url: str, timeout: float) -> ConnectionPool:
    """One small pool per database and process, shared by all sessions (threads)."""
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None or pool.closed:
            pool = ConnectionPool(
                url, min_size=1, max_size=8, timeout=timeout, open=True, name="geodata",
                check=ConnectionPool.check_connection,  # survives a database restart
                kwargs={"autocommit": True, "application_name": "rostock-geodata",
                        "connect_timeout": max(1, round(timeout))},
            )
            _POOLS[url] = pool
        return pool


@atexit.register
def close_pools() -> None:
    with _POOLS_LOCK:
        for pool in _POOLS.values():
            pool.close()
        _POOLS.clear()


def _key(text: str) -> int:
    """A signed 32-bit advisory lock key."""
    value = zlib.crc32(text.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def where(url: str) -> str:
    """``user@host:port/db`` without the password, for messages."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the configured database"
    return (f"{info.get('user', '')}@{info.get('host', 'localhost')}:{info.get('port', 5432)}"
            f"/{info.get('dbname', '')}")


def _why(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"{type(exc).__name__}: {first}"


# -- columns: pandas dtype <-> SQL type, exactly ----------------------------------------------

_INT_SQL = {1: "smallint", 2: "smallint", 4: "integer", 8: "bigint"}
_UINT_SQL = {1: "smallint", 2: "integer", 4: "bigint"}


def _dtype_spec(dtype: Any) -> Any:
    if isinstance(dtype, pd.StringDtype):
        return {"string": dtype.storage, "na": "nan" if dtype.na_value is np.nan else "NA"}
    return str(dtype)


def _dtype(spec: Any) -> Any:
    if isinstance(spec, dict):
        return pd.StringDtype(spec["string"], na_value=np.nan if spec["na"] == "nan" else pd.NA)
    return ptypes.pandas_dtype(spec)


def _column(dataset_id: str, name: str, series: pd.Series) -> tuple[dict[str, Any], str]:
    """The column's record (name, dtype) and its SQL type; refuses what cannot round-trip."""
    dtype = series.dtype
    sql_type = None
    if isinstance(dtype, pd.StringDtype):
        sql_type = "text"
    elif ptypes.is_object_dtype(dtype) and all(isinstance(v, str) for v in series.dropna()):
        # What the file store gives back for text in an object column.
        sql_type, dtype = "text", pd.StringDtype(na_value=np.nan)
    elif ptypes.is_bool_dtype(dtype):
        sql_type = "boolean"
    elif ptypes.is_unsigned_integer_dtype(dtype):
        sql_type = _UINT_SQL.get(dtype.itemsize)
    elif ptypes.is_integer_dtype(dtype):
        sql_type = _INT_SQL.get(dtype.itemsize)
    elif ptypes.is_float_dtype(dtype):
        sql_type = "real" if dtype.itemsize <= 4 else "double precision"
    elif isinstance(dtype, pd.DatetimeTZDtype) or ptypes.is_datetime64_dtype(dtype):
        values = series.dropna()
        if series.dt.unit == "ns" and (values.dt.nanosecond != 0).any():
            raise StoreError(dataset_id, f"column {excerpt(name)} has nanoseconds, which "
                             "PostgreSQL cannot keep", "write")
        sql_type = "timestamptz" if isinstance(dtype, pd.DatetimeTZDtype) else "timestamp"
    if sql_type is None:
        raise StoreError(dataset_id, f"column {excerpt(name)} has the type {dtype}, which the "
                         "PostGIS store cannot keep exactly", "write")
    return {"name": name, "dtype": _dtype_spec(dtype), "sql": sql_type}, sql_type


def _values(series: pd.Series) -> list[Any]:
    """Python values for COPY; every missing value (NaN, NA, NaT) becomes NULL."""
    values = series.tolist()
    mask = series.isna().to_numpy()
    if mask.any():
        values = [None if m else v for v, m in zip(values, mask, strict=True)]
    return values


def _from_values(spec: dict[str, Any], values: Iterable[Any]) -> Any:
    dtype = _dtype(spec["dtype"])
    values = list(values)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True).dt.tz_convert(
            dtype.tz).astype(dtype).array
    if ptypes.is_datetime64_dtype(dtype):
        return pd.to_datetime(pd.Series(values, dtype=object)).astype(dtype).array
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return np.array(values, dtype=dtype)  # NULL -> NaN
    return pd.array(values, dtype=dtype)


# A database that did not answer is not asked again for this long (per URL, all threads):
# with the server down, every page would otherwise wait the connect timeout per question.
OUTAGE_RETRY_S = 10.0
_down_until: dict[str, float] = {}


class PostgisStore:
    """Same contract as ``geodata.store.Store``; see the module docstring for the layout."""

    def __init__(self, settings: Settings) -> None:
        if not settings.database_url:
            raise ValueError("PostgisStore needs settings.database_url")
        self.url = settings.database_url
        self.schema = settings.database_schema
        self.timeout = settings.connect_timeout
        self.raw = Path(settings.data_dir) / "raw"  # downloads cache stays local
        self._s = sql.Identifier(self.schema)

    def describe(self) -> str:
        return f"PostGIS {where(self.url)}, schema {self.schema}"

    def _table(self, name: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(self._s, sql.Identifier(name))

    @contextlib.contextmanager
    def _conn(self) -> Iterator[psycopg.Connection]:
        now = time.monotonic()
        until = _down_until.get(self.url, 0.0)
        if now < until:  # failed a moment ago: don't make every caller wait the timeout again
            raise psycopg.OperationalError(
                f"no connection (the last attempt failed; next try in {until - now:.0f} s)")
        with contextlib.ExitStack() as stack:
            try:
                conn = stack.enter_context(
                    _pool(self.url, self.timeout).connection(timeout=self.timeout))
            except PoolTimeout:
                _down_until[self.url] = time.monotonic() + OUTAGE_RETRY_S
                raise
            _down_until.pop(self.url, None)
            yield conn

    def problem(self) -> str | None:
        """Why nothing can be read now (server down, wrong password), as a sentence for the
        log; None when the database answers. Lets the app say "database unreachable" instead
        of calling every dataset missing and trying to download it again."""
        try:
            with self._conn() as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:  # PoolTimeout is one too
            return f"the database {where(self.url)} cannot be reached ({_why(exc)})"
        return None

    def _unreachable(self, dataset_id: str, exc: BaseException, kind: str) -> StoreError:
        return StoreError(dataset_id, f"the database {where(self.url)} could not be used "
                          f"({_why(exc)})", kind)

    # -- reading ----------------------------------------------------------------------------

    def _row(self, dataset_id: str, fields: str) -> tuple | None:
        try:
            with self._conn() as conn:
                return conn.execute(
                    sql.SQL("SELECT " + fields + " FROM {} WHERE id = %s").format(
                        self._table("datasets")), [dataset_id]).fetchone()
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
            return None  # nothing refreshed into this database yet
        except psycopg.Error as exc:
            log.warning("%s", self._unreachable(dataset_id, exc, "missing"))
            return None

    def meta(self, dataset_id: str) -> dict[str, Any] | None:
        row = self._row(dataset_id, "meta")
        return dict(row[0]) if row else None

    def has(self, dataset_id: str) -> bool:
        row = self._row(dataset_id, "table_name")
        return bool(row and row[0])

    def load(self, dataset_id: str) -> pd.DataFrame:
        """The current copy, read in one transaction under the dataset's shared lock."""
        missing = StoreError(dataset_id, "there is no copy in the database yet; run "
                             "`python -m geodata refresh`", "missing")
        try:
            with self._conn() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)",
                             self._switch_key(dataset_id))
                row = conn.execute(sql.SQL("SELECT table_name, columns FROM {} WHERE id = %s")
                                   .format(self._table("datasets")), [dataset_id]).fetchone()
                if not row or not row[0]:
                    raise missing
                table, columns = row
                select = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
                    sql.SQL(", ").join(
                        sql.SQL("ST_AsBinary({})").format(sql.Identifier(c["name"]))
                        if c.get("geometry") else sql.Identifier(c["name"]) for c in columns),
                    self._table(table), sql.Identifier(ROW))
                with conn.cursor(binary=True) as cur:
                    rows = cur.execute(select).fetchall()
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName) as exc:
            raise missing from exc
        except psycopg.Error as exc:
            raise self._unreachable(dataset_id, exc, "missing") from exc
        return _frame(columns, rows)

    def size_bytes(self) -> int:
        """Bytes of the current tables (with indexes) and the metadata table."""
        query = sql.SQL(
            "SELECT pg_total_relation_size(%s::regclass) + coalesce(sum(pg_total_relation_size("
            "format('%%I.%%I', %s::text, table_name)::regclass)), 0) FROM {} "
            "WHERE table_name IS NOT NULL").format(self._table("datasets"))
        try:
            with self._conn() as conn:
                row = conn.execute(query, [f'"{self.schema}".datasets', self.schema]).fetchone()
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
            return 0
        return int(row[0] or 0) if row else 0

    # -- writing ----------------------------------------------------------------------------

    def _switch_key(self, dataset_id: str) -> tuple[int, int]:
        return _key(f"{self.schema}:switch"), _key(dataset_id)

    @contextlib.contextmanager
    def lock(self, dataset_id: str) -> Iterator[None]:
        """One refresh per dataset at a time, across processes and machines (released by
        PostgreSQL if the holder dies)."""
        key = (_key(f"{self.schema}:refresh"), _key(dataset_id))
        with contextlib.ExitStack() as stack:
            try:
                conn = stack.enter_context(self._conn())
                conn.execute("SELECT pg_advisory_lock(%s, %s)", key)
            except psycopg.Error as exc:
                raise self._unreachable(dataset_id, exc, "write") from exc
            try:
                yield
            finally:
                with contextlib.suppress(psycopg.Error):
                    conn.execute("SELECT pg_advisory_unlock(%s, %s)", key)

    def _setup(self, conn: psycopg.Connection) -> None:
        """Schema, metadata table and version sequence; once per process."""
        if (self.url, self.schema) in _READY:
            return
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", [_key(f"{self.schema}:setup")])
            if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'"
                                ).fetchone():
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(self._s))
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id text PRIMARY KEY, table_name text, "
                "columns jsonb, meta jsonb NOT NULL DEFAULT '{{}}', "
                "updated_at timestamptz NOT NULL DEFAULT now())").format(
                self._table("datasets")))
            conn.execute(sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(
                self._table("table_version")))
            conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(
                self._table("datasets"), sql.Literal(
                    "Rostock dashboard: one row per dataset; table_name is the current copy, "
                    "meta holds Stand, source, licence and checksum.")))
        _READY.add((self.url, self.schema))

    def commit(self, dataset_id: str, frame: pd.DataFrame, meta: dict[str, Any]) -> dict:
        """Write a new table and switch to it atomically; the old copy serves until then."""
        layout, rows, geom = _layout(dataset_id, frame)
        record = {**meta, "file_sha256": frame_checksum(frame), "last_error": None,
                  "last_error_kind": None, "last_error_at": None}
        try:
            with self._conn() as conn:
                self._setup(conn)
                with conn.transaction():
                    n = conn.execute(sql.SQL("SELECT nextval({})").format(sql.Literal(
                        f'"{self.schema}".table_version'))).fetchone()[0]
                    table = f"{dataset_id}_v{n}"
                    record["table"] = f"{self.schema}.{table}"
                    self._create(conn, table, layout, rows, geom)
                    self._switch(conn, dataset_id, table, layout, record)
        except psycopg.Error as exc:
            raise StoreError(dataset_id, f"writing into the database {where(self.url)} failed "
                             f"({_why(exc)}); the previous copy is kept", "write") from exc
        return record

    def _create(self, conn: psycopg.Connection, table: str, layout: list[dict[str, Any]],
                rows: Iterable[tuple], geom: str | None) -> None:
        conn.execute(sql.SQL("CREATE TABLE {} ({} bigint PRIMARY KEY, {})").format(
            self._table(table), sql.Identifier(ROW),
            sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c["name"]),
                                                      sql.SQL(c["sql"])) for c in layout)))
        copy_sql = sql.SQL("COPY {} ({}, {}) FROM STDIN").format(
            self._table(table), sql.Identifier(ROW),
            sql.SQL(", ").join(sql.Identifier(c["name"]) for c in layout))
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            write_rows(copy, rows)
        if geom:
            conn.execute(sql.SQL("CREATE INDEX ON {} USING gist ({})").format(
                self._table(table), sql.Identifier(geom)))
        conn.execute(sql.SQL("ANALYZE {}").format(self._table(table)))

    def _switch(self, conn: psycopg.Connection, dataset_id: str, table: str,
                layout: list[dict[str, Any]], record: dict[str, Any]) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", self._switch_key(dataset_id))
        conn.execute(sql.SQL(
            "INSERT INTO {} (id, table_name, columns, meta, updated_at) "
            "VALUES (%s, %s, %s, %s, now()) ON CONFLICT (id) DO UPDATE SET "
            "table_name = EXCLUDED.table_name, columns = EXCLUDED.columns, "
            "meta = EXCLUDED.meta, updated_at = now()").format(self._table("datasets")),
            [dataset_id, table, _jsonb(layout), _jsonb(record)])
        view = self._table(dataset_id)
        conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(view))
        conn.execute(sql.SQL("CREATE VIEW {} AS SELECT * FROM {}").format(
            view, self._table(table)))
        data_date = compact(record.get("reference")) or "ohne Datum in den Daten"
        note = (f"{record.get('title_de') or dataset_id} — {record.get('publisher') or ''}; "
                f"Lizenz: {record.get('licence') or '?'}; Datenstand: {data_date}; "
                f"abgerufen: {str(record.get('retrieved_at') or '?')[:10]}; "
                f"Quelle: {record.get('source_url') or '-'}")
        conn.execute(sql.SQL("COMMENT ON VIEW {} IS {}").format(view, sql.Literal(note)))
        # Every older copy of this dataset (normally one) goes in the same transaction.
        old = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE' AND table_name LIKE %s AND table_name <> %s",
            [self.schema, dataset_id.replace("_", r"\_") + r"\_v%", table]).fetchall()
        for (name,) in old:
            if name[len(dataset_id) + 2:].isdigit():
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._table(name)))

    def _patch(self, dataset_id: str, fields: dict[str, Any]) -> None:
        try:
            with self._conn() as conn:
                self._setup(conn)
                conn.execute(sql.SQL(
                    "INSERT INTO {} (id, meta) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE "
                    "SET meta = {}.meta || EXCLUDED.meta, updated_at = now()").format(
                    self._table("datasets"), self._table("datasets")),
                    [dataset_id, _jsonb({"id": dataset_id, **fields})])
        except psycopg.Error as exc:
            raise self._unreachable(dataset_id, exc, "write") from exc

    def touch(self, dataset_id: str, **fields: Any) -> None:
        """Update the record (checked_at, cleared error) without touching the data."""
        self._patch(dataset_id, fields)

    def record_error(self, dataset_id: str, error: GeodataError) -> None:
        self._patch(dataset_id, {"last_error": str(error), "last_error_kind": error.kind,
                                 "last_error_at": now()})


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _jsonb(value: Any) -> Jsonb:
    return Jsonb(value, dumps=partial(json.dumps, ensure_ascii=False, default=str))


def write_rows(copy: psycopg.Copy, rows: Iterable[tuple]) -> None:
    """Stream rows into COPY; split out so tests can break a refresh half-way."""
    for row in rows:
        copy.write_row(row)


def _layout(dataset_id: str, frame: pd.DataFrame
            ) -> tuple[list[dict[str, Any]], Iterable[tuple], str | None]:
    """Column records, the rows to COPY (geometry as hex EWKB) and the geometry column."""
    if ROW in frame.columns:
        raise StoreError(dataset_id, f"the column name {ROW!r} is reserved", "write")
    if not frame.columns.is_unique or not all(isinstance(c, str) for c in frame.columns):
        raise StoreError(dataset_id, "column names must be unique text", "write")
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    layout, columns = [], []
    for name in frame.columns:
        series = frame[name]
        if isinstance(series.dtype, gpd.array.GeometryDtype):
            if name != geom:
                raise StoreError(dataset_id, f"a second geometry column {excerpt(name)}", "write")
            srid = frame.crs.to_epsg() if frame.crs is not None else 0
            if srid is None:
                raise StoreError(dataset_id, "the CRS has no EPSG code", "write")
            arr = shapely.set_srid(np.asarray(series.array, dtype=object), srid)
            has_z = series.has_z[series.notna() & ~series.is_empty]
            if has_z.all() or not has_z.any():
                kind = "GeometryZ" if len(has_z) and has_z.all() else "Geometry"
                sql_type = f"geometry({kind}, {srid})"
            else:  # 2-D and 3-D mixed: no type modifier, but still one SRID
                sql_type = f"geometry CHECK (ST_SRID({_quote(name)}) = {int(srid)})"
            layout.append({"name": name, "geometry": True, "srid": srid, "sql": sql_type})
            columns.append(shapely.to_wkb(arr, hex=True, include_srid=True).tolist())
            continue
        spec, _sql_type = _column(dataset_id, name, series)
        layout.append(spec)
        columns.append(_values(series))
    return layout, zip(range(len(frame)), *columns, strict=True), geom


def _frame(layout: list[dict[str, Any]], rows: list[tuple]) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in layout]
    data: dict[str, Any] = {}
    geom = None
    for spec, values in zip(layout, columns, strict=True):
        if spec.get("geometry"):
            geom = spec
            arr = shapely.from_wkb(np.array(values, dtype=object))
            data[spec["name"]] = gpd.GeoSeries(arr, crs=spec["srid"] or None)
        else:
            data[spec["name"]] = _from_values(spec, values)
    index = pd.RangeIndex(len(rows))
    if geom is None:
        return pd.DataFrame(data, index=index)
    return gpd.GeoDataFrame(data, index=index, geometry=geom["name"],
                            crs=geom["srid"] or None)
