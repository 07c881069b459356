"""The one place sqlite-utils is imported, without pandas and numpy.

sqlite-utils imports pandas and numpy at import time whenever they are
installed, for DataFrame conveniences Kakashi never uses. ortools depends on
pandas, so they are always installed, and they would add about 50 MB of
resident memory to every gateway, planning or not (bench/ingest.py's idle
RSS). While sqlite_utils is first imported they are made unimportable;
afterwards they import normally for the parts that need them.
"""

from __future__ import annotations

import sys

_HIDDEN = [name for name in ("pandas", "numpy") if name not in sys.modules]
if "sqlite_utils" not in sys.modules:
    for _name in _HIDDEN:
        sys.modules[_name] = None  # type: ignore[assignment]  # `import` now fails
try:
    from sqlite_utils import Database
finally:
    for _name in _HIDDEN:
        if sys.modules.get(_name, 0) is None:
            del sys.modules[_name]

__all__ = ["Database"]
