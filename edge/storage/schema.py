"""Versioned schema: migration N moves a database from version N-1 to N.

The version lives in ``PRAGMA user_version``. Each migration runs in its own
transaction together with the version bump, so a crash leaves the database at
either the old or the new version, never in between. Migrations must keep data.

Layout choices for an SD card: times are integer milliseconds, readings refer
to a small ``series`` table instead of repeating device and point names, and
tables keyed by a natural compound key are ``WITHOUT ROWID`` (one b-tree
instead of a table plus an index).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from edge.storage.errors import StorageError
from edge.storage.lean_import import Database
from edge.storage.transaction import write_transaction

log = logging.getLogger(__name__)

Migration = Callable[[Database], None]

# ``value`` has no declared type on purpose: it holds REAL, TEXT or NULL as
# given. A declared REAL would turn "12" into 12.0, and ANY in a non-STRICT
# table means NUMERIC affinity, which converts numeric-looking text too.
_SCHEMA_1: Sequence[str] = (
    """CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        point TEXT NOT NULL,
        unit TEXT NOT NULL DEFAULT '',
        UNIQUE (device, point)
    )""",
    """CREATE TABLE readings (
        series INTEGER NOT NULL REFERENCES series (id),
        ts INTEGER NOT NULL,
        value,
        quality INTEGER NOT NULL,
        PRIMARY KEY (series, ts)
    ) WITHOUT ROWID""",
    """CREATE TABLE latest (
        series INTEGER PRIMARY KEY REFERENCES series (id),
        ts INTEGER NOT NULL,
        value,
        quality INTEGER NOT NULL
    )""",
    """CREATE TABLE rollups_hourly (
        series INTEGER NOT NULL REFERENCES series (id),
        hour_ts INTEGER NOT NULL,
        n INTEGER NOT NULL,
        n_good INTEGER NOT NULL,
        min REAL,
        max REAL,
        sum REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (series, hour_ts)
    ) WITHOUT ROWID""",
    """CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        profile TEXT,
        bus TEXT,
        field TEXT,
        vehicle TEXT,
        first_seen INTEGER,
        last_seen INTEGER,
        state TEXT
    )""",
    """CREATE TABLE forecasts (
        field TEXT NOT NULL,
        ts INTEGER NOT NULL,
        p10 REAL,
        p50 REAL,
        p90 REAL,
        model_version TEXT NOT NULL,
        PRIMARY KEY (field, ts)
    ) WITHOUT ROWID""",
    """CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL
    )""",
    "CREATE INDEX orders_status ON orders (status)",
    """CREATE TABLE plans (
        id TEXT PRIMARY KEY,
        created INTEGER NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL,
        data TEXT
    )""",
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created INTEGER NOT NULL,
        topic TEXT NOT NULL,
        payload BLOB NOT NULL,
        qos INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('reading', 'forecast', 'plan', 'event')),
        historical INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0
    )""",
    # The uplink only ever looks for what is unsent; a partial index stays
    # small however much sent history is kept.
    "CREATE INDEX outbox_unsent ON outbox (id) WHERE sent = 0",
)


def _migration_1_initial(db: Database) -> None:
    for statement in _SCHEMA_1:
        db.execute(statement)


def _migration_2_audit(db: Database) -> None:
    """Who asked for each event (the audit log), faster event queries by time,
    and a record of when each migration ran."""
    db.table("events").add_column("actor", str, not_null_default="system")
    db.table("events").create_index(["ts"], index_name="events_ts")
    db.table("meta").create({"key": str, "value": str}, pk="key", not_null=["value"])


def _migration_3_people_and_forecast_detail(db: Database) -> None:
    """Users, their browser sessions and API tokens (the web page's auth); what a
    forecast was made from and when the harvest is expected; who asked for a plan
    and when it last changed."""
    db.execute(
        """CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'coordinator', 'admin')),
            password_hash TEXT NOT NULL,
            language TEXT,
            disabled INTEGER NOT NULL DEFAULT 0,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL
        )"""
    )
    # Only digests of session ids and tokens are stored: a copied database file
    # does not let anyone in.
    db.execute(
        """CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY,
            user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
            csrf TEXT NOT NULL,
            created INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            expires INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX sessions_user ON sessions (user)")
    db.execute(
        """CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
            label TEXT NOT NULL DEFAULT '',
            created INTEGER NOT NULL,
            last_used INTEGER,
            revoked INTEGER NOT NULL DEFAULT 0
        )"""
    )
    forecasts = db.table("forecasts")
    forecasts.add_column("features_used", str)
    forecasts.add_column("progress", float)
    forecasts.add_column("expected_harvest", str)
    plans = db.table("plans")
    plans.add_column("updated", int)
    plans.add_column("actor", str, not_null_default="system")
    db.execute("UPDATE plans SET updated = created WHERE updated IS NULL")
    db.execute("CREATE INDEX plans_status ON plans (status)")


def _migration_4_hourly_summaries(db: Database) -> None:
    """A cache of hourly summaries for complete hours whose raw rows are still
    kept, so long charts read one row per hour (see ``summaries``).

    It starts empty with no watermark: raw rows are read as before until
    maintenance backfills it, an hour per transaction, so this migration stays
    instant however much raw data the database holds.
    """
    db.execute(
        """CREATE TABLE hourly_summaries (
            series INTEGER NOT NULL REFERENCES series (id),
            hour_ts INTEGER NOT NULL,
            n INTEGER NOT NULL,
            n_good INTEGER NOT NULL,
            min REAL,
            max REAL,
            sum REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (series, hour_ts)
        ) WITHOUT ROWID"""
    )


def _migration_5_forecast_notes(db: Database) -> None:
    """Each forecast's notes (a JSON list): what was missing, held or taken as
    what, so the page and the uplink say why a band is wide. Older rows have none."""
    db.table("forecasts").add_column("notes", str)


MIGRATIONS: Sequence[Migration] = (
    _migration_1_initial,
    _migration_2_audit,
    _migration_3_people_and_forecast_detail,
    _migration_4_hourly_summaries,
    _migration_5_forecast_notes,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    version: int = db.conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(db: Database, target: int | None = None) -> int:
    """Bring ``db`` up to ``target`` (the latest if None); return the version reached."""
    goal = SCHEMA_VERSION if target is None else target
    where = _database_file(db)
    if not 0 <= goal <= SCHEMA_VERSION:
        raise StorageError(f"{where}: migration target must be 0..{SCHEMA_VERSION}, got {goal}")
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise StorageError(
            f"{where}: schema version {current} is newer than this Kakashi knows "
            f"({SCHEMA_VERSION}); refusing to use it, downgrades are not supported"
        )
    if current > goal:
        raise StorageError(
            f"{where}: schema version {current} is already past target {goal}; "
            "migrations only move forward"
        )
    ran: dict[int, str] = {}
    for version in range(current + 1, goal + 1):
        with write_transaction(db):
            # Another process may have migrated while we waited for the lock.
            if schema_version(db) >= version:
                continue
            MIGRATIONS[version - 1](db)
            ran[version] = datetime.now(UTC).isoformat(timespec="seconds")
            if db.table("meta").exists():
                _record_migrations(db, ran)
            db.execute(f"PRAGMA user_version = {version}")
        log.info("%s: migrated schema to version %d", where, version)
    return schema_version(db)


def _record_migrations(db: Database, ran: dict[int, str]) -> None:
    # Migrations that ran before ``meta`` existed are recorded once it does.
    db.conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [(f"migration.{version}.applied", when) for version, when in ran.items()],
    )


def _database_file(db: Database) -> str:
    for row in db.conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return str(row[2]) or ":memory:"
    return "database"
