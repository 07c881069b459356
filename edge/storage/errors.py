"""The one exception type storage raises for problems it can name."""

from __future__ import annotations


class StorageError(RuntimeError):
    """A database that cannot be opened, migrated or used as asked.

    The message names the file and what was expected versus found.
    """
