"""Logging set-up: one line per event on stderr, which systemd sends to the journal."""

from __future__ import annotations

import logging

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


def setup_logging(level: str = "info") -> None:
    logging.basicConfig(
        level=LEVELS.get(level, logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        force=True,
    )
    # Per-request lines from the web stack would drown the readings' story.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
