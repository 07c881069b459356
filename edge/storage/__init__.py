"""SQLite storage for the service: readings, rollups, events, outbox and more."""

from edge.storage.database import open_database
from edge.storage.errors import StorageError
from edge.storage.events import Event
from edge.storage.latest import LatestReading
from edge.storage.maintenance import MaintenanceReport
from edge.storage.rollup import HourlyRollup
from edge.storage.schema import SCHEMA_VERSION, migrate
from edge.storage.stats import StorageStats
from edge.storage.store import Storage
from edge.storage.transaction import write_transaction
from edge.storage.writer import run_writer

__all__ = [
    "SCHEMA_VERSION",
    "Event",
    "HourlyRollup",
    "LatestReading",
    "MaintenanceReport",
    "Storage",
    "StorageError",
    "StorageStats",
    "migrate",
    "open_database",
    "run_writer",
    "write_transaction",
]
