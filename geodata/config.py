"""Settings from arguments, environment and an optional TOML file, in that order.

The mirror base replaces ``scheme://host`` of official URLs; it can be a folder laid out by
host and path (``../shared/opendata-mirror``) or an ``http://`` URL serving such a folder.

A database URL (``GEODATA_DATABASE_URL``, or ``.streamlit/secrets.toml``) switches the store
from local GeoParquet files to PostGIS, which several app replicas can share. The secrets
file is read as plain TOML: this package never imports Streamlit.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = PROJECT_ROOT / "geodata.toml"

ENV_MIRROR = "GEODATA_MIRROR"
ENV_DATA_DIR = "GEODATA_DIR"
ENV_CONFIG = "GEODATA_CONFIG"
ENV_OFFLINE = "GEODATA_OFFLINE"
ENV_DATABASE_URL = "GEODATA_DATABASE_URL"
ENV_DATABASE_SCHEMA = "GEODATA_DATABASE_SCHEMA"
ENV_SECRETS = "GEODATA_SECRETS"
ENV_FETCH_ON_DEMAND = "GEODATA_FETCH_ON_DEMAND"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = PROJECT_ROOT / "data"
    mirror: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff_factor: float = 0.5
    # A server asking us to wait longer than this is treated as a failure: a citizen at a
    # kiosk should not stare at a spinner for an hour.
    max_retry_after: float = 30.0
    chunk_size: int = 64 * 1024
    # Event laptops: never reach beyond this machine (a mirror folder or loopback is fine).
    offline: bool = False
    # PostgreSQL URL (postgresql://user:password@host:port/db); None = the file store.
    database_url: str | None = None
    database_schema: str = "geodata"
    # Whether the app may download a dataset a visitor needs that is not stored yet. App
    # replicas on a shared database leave that to the one refresh job (deploy/compose.yaml).
    fetch_on_demand: bool = True
    extra: dict[str, object] = field(default_factory=dict)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _read_config_file(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    section = data.get("geodata", data)
    return dict(section) if isinstance(section, dict) else {}


def _secrets_files() -> list[Path]:
    """Where Streamlit looks for secrets, most specific last (later files win)."""
    if os.environ.get(ENV_SECRETS):
        return [Path(os.environ[ENV_SECRETS])]
    return [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]


def database_url_from_secrets() -> str | None:
    """``[geodata] database_url`` or ``[connections.postgis] url`` from secrets.toml."""
    found = None
    for path in _secrets_files():
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError):
            continue
        geodata = data.get("geodata") if isinstance(data.get("geodata"), dict) else {}
        connections = data.get("connections") if isinstance(data.get("connections"), dict) else {}
        postgis = connections.get("postgis") if isinstance(connections.get("postgis"), dict) else {}
        found = geodata.get("database_url") or postgis.get("url") or found
    return str(found) if found else None


def _database_url(cfg: dict[str, object]) -> str | None:
    # An empty GEODATA_DATABASE_URL means "no database" on purpose, even with secrets around.
    if ENV_DATABASE_URL in os.environ:
        return os.environ[ENV_DATABASE_URL].strip() or None
    return database_url_from_secrets() or (str(cfg.get("database_url") or "") or None)


def load_settings(
    *, mirror: str | None = None, data_dir: str | Path | None = None, **overrides: object
) -> Settings:
    """Resolve settings: explicit arguments beat the environment, which beats the file."""
    cfg = _read_config_file(Path(os.environ.get(ENV_CONFIG, CONFIG_FILE)))
    mirror = mirror or os.environ.get(ENV_MIRROR) or str(cfg.get("mirror") or "") or None
    raw_dir = data_dir or os.environ.get(ENV_DATA_DIR) or cfg.get("data_dir")
    resolved_dir = Path(str(raw_dir)) if raw_dir else Settings.data_dir
    if not resolved_dir.is_absolute():
        resolved_dir = (Path.cwd() / resolved_dir).resolve()
    known = {k: v for k, v in cfg.items() if k in Settings.__dataclass_fields__}
    known.pop("mirror", None)
    known.pop("data_dir", None)
    if os.environ.get(ENV_OFFLINE, "").strip().lower() in {"1", "true", "yes"}:
        known["offline"] = True
    known["database_url"] = _database_url(cfg)
    on_demand = os.environ.get(ENV_FETCH_ON_DEMAND, "").strip().lower()
    if on_demand in {"0", "false", "no"}:
        known["fetch_on_demand"] = False
    elif on_demand in {"1", "true", "yes"}:
        known["fetch_on_demand"] = True
    if os.environ.get(ENV_DATABASE_SCHEMA):
        known["database_schema"] = os.environ[ENV_DATABASE_SCHEMA]
    known.update(overrides)
    if mirror and not mirror.startswith(("http://", "https://")):
        mirror = str(Path(mirror).expanduser().resolve())
    return Settings(data_dir=resolved_dir, mirror=mirror, **known)  # type: ignore[arg-type]
