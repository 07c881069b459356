"""``kakashi check-config FILE``: every issue, one per line, or a one-line summary."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from edge.config.errors import ConfigError
from edge.config.load import load_config

EXIT_OK = 0
EXIT_INVALID = 2


def check_config_main(path: Path, out: TextIO) -> int:
    try:
        config = load_config(path)
    except ConfigError as exc:
        for issue in exc.issues:
            print(issue, file=out)
        return EXIT_INVALID
    counts = [
        _count(len(config.site.fields), "field"),
        _count(len(config.buses), "bus", "buses"),
        _count(len(config.devices), "device"),
        _count(len(config.vehicles), "vehicle"),
    ]
    print(f"{path}: ok — {', '.join(counts)}", file=out)
    return EXIT_OK


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
