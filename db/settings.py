"""One settings object, read from the environment and validated once."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from db.currency_codes import ISO_4217

DEFAULT_SQLITE_FILE = "segments.db"


class SettingsError(ValueError):
    """A setting from the environment or the command line is not usable."""


def normalise_database_url(url: str) -> str:
    """Accept the URL forms people paste and point Postgres at psycopg 3.

    Heroku-style ``postgres://`` and plain ``postgresql://`` would otherwise make SQLAlchemy
    look for psycopg2, which we do not install.
    """
    url = url.strip()
    if not url:
        raise SettingsError("database URL is empty")
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith(("postgresql+psycopg://", "sqlite://", "sqlite+pysqlite://")):
        return url
    if "://" not in url:
        # A bare path is taken as a SQLite file, which is what people mean by it.
        return f"sqlite:///{Path(url).expanduser()}"
    raise SettingsError(
        f"unsupported database URL {url.split('://', 1)[0]}://: use postgresql:// or sqlite://"
    )


def normalise_currency(code: str | None) -> str | None:
    """An ISO 4217 code (three letters, any case) in upper case; empty or unset means no unit."""
    code = (code or "").strip()
    if not code:
        return None
    if code.upper() not in ISO_4217:
        raise SettingsError(
            f"SEGMENTS_CURRENCY must be an ISO 4217 currency code like GBP, EUR or USD, not {code!r}"
        )
    return code.upper()


def _flag(env, name: str) -> bool:
    value = (env.get(name) or "").strip()
    if value not in ("", "0", "1"):
        raise SettingsError(f"{name} must be 1 (on) or 0 (off), not {value!r}")
    return value == "1"


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str | None = None
    upload_max_mb: int = 200
    cache_dir: str | None = None  # background jobs and cached results; default: under the temp dir
    currency: str | None = None  # ISO 4217 code money is shown in; None: plain numbers, no unit
    cookie_secure: bool = False  # browsers send the session cookie over HTTPS only
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-For is trusted

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *, database_url: str | None = None) -> Settings:
        """Settings from the environment; ``database_url`` (``--db``) replaces SEGMENTS_DATABASE_URL,
        which is then not read at all (a broken variable does not block an explicit --db)."""
        env = os.environ if environ is None else environ
        url = database_url
        if url is None:  # an empty variable counts as unset; an empty --db does not
            url = env.get("SEGMENTS_DATABASE_URL") or f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"
        try:
            upload_max_mb = int(env.get("SEGMENTS_UPLOAD_MAX_MB", "200"))
        except ValueError as exc:
            raise SettingsError("SEGMENTS_UPLOAD_MAX_MB must be a whole number of megabytes") from exc
        if upload_max_mb <= 0:
            raise SettingsError("SEGMENTS_UPLOAD_MAX_MB must be positive")
        hops = (env.get("SEGMENTS_PROXY_HOPS") or "0").strip()
        if not (hops.isascii() and hops.isdigit()):
            raise SettingsError(f"SEGMENTS_PROXY_HOPS must be a number of proxies (0, 1, ...), not {hops!r}")
        return cls(
            database_url=normalise_database_url(url),
            secret_key=env.get("SEGMENTS_SECRET_KEY") or None,
            upload_max_mb=upload_max_mb,
            cache_dir=env.get("SEGMENTS_CACHE_DIR") or None,
            currency=normalise_currency(env.get("SEGMENTS_CURRENCY")),
            cookie_secure=_flag(env, "SEGMENTS_COOKIE_SECURE"),
            proxy_hops=int(hops),
        )

    def with_database(self, url: str | None) -> Settings:
        """The same settings with the ``--db`` override applied, if one was given ("" is refused)."""
        return self if url is None else replace(self, database_url=normalise_database_url(url))
