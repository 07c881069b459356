"""Model files in directories: validated on arrival, swapped in while running, rolled back.

``refresh()`` looks for files that are new or changed since the last look,
validates each (``read_model_file``: inputs, metadata, self-test) and makes a
valid one the crop's active model if its version is newer than the active
one. The model it replaces is kept, so ``rollback(crop)`` returns to it; the
rolled-back version is then passed over until its file changes. A file that
fails validation is recorded with the reason and never used.
Thread-safe: the service refreshes and forecasts from worker threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from models.model_file import LoadedModel, ModelFileError, parse_version, read_model_file
from models.session import DEFAULT_THREADS

log = logging.getLogger(__name__)
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"
"""Models that come with Kakashi, so a fresh install forecasts without training."""


def newest_shipped(crop: str) -> Path:
    """The shipped model file of ``crop``'s newest version."""
    prefix = f"yield-{crop}-"
    files = sorted(
        SHIPPED_DIR.glob(f"{prefix}*.onnx"),
        key=lambda p: parse_version(p.stem.removeprefix(prefix)),
    )
    if not files:
        raise FileNotFoundError(f"no shipped {crop} model in {SHIPPED_DIR}")
    return files[-1]


@dataclass(frozen=True, slots=True)
class RegistryEvent:
    kind: str
    """``activated``, ``rejected``, ``kept`` (valid but not newer) or ``rolled_back``."""
    path: Path
    message: str


_Stamp = tuple[int, int]


class ModelRegistry:
    def __init__(
        self,
        directories: Sequence[Path],
        threads: int = DEFAULT_THREADS,
        crops: Collection[str] | None = None,
    ) -> None:
        """``crops``: load only these crops' models (each session holds several MB);
        None loads every crop found."""
        self._dirs = tuple(directories)
        self._crops = None if crops is None else frozenset(crops)
        self._threads = threads
        self._lock = threading.Lock()
        self._seen: dict[Path, _Stamp] = {}
        self._active: dict[str, LoadedModel] = {}
        self._previous: dict[str, list[LoadedModel]] = {}
        self._rejected: dict[Path, str] = {}
        self._retired: set[str] = set()
        """sha256 of files rolled back from."""

    def refresh(self) -> list[RegistryEvent]:
        """Validate files new or changed since the last call; activate newer versions."""
        events: list[RegistryEvent] = []
        for path in self._candidates():
            try:
                st = path.stat()
            except OSError:
                continue
            stamp = (st.st_mtime_ns, st.st_size)
            with self._lock:
                if self._seen.get(path) == stamp:
                    continue
                self._seen[path] = stamp
            events.append(self._consider(path))
        for event in events:
            log.log(logging.WARNING if event.kind == "rejected" else logging.INFO, event.message)
        return events

    def _candidates(self) -> list[Path]:
        found: list[Path] = []
        for directory in self._dirs:
            if directory.is_dir():
                found.extend(sorted(directory.glob("*.onnx")))
        if self._crops is None:
            return found
        # The file name says the crop (``yield-<crop>-<version>.onnx``), so models
        # of crops not grown here are never loaded; the metadata is still checked.
        return [p for p in found if any(p.name.startswith(f"yield-{c}-") for c in self._crops)]

    def _consider(self, path: Path) -> RegistryEvent:
        try:
            model = read_model_file(path, self._threads)
        except ModelFileError as exc:
            with self._lock:
                self._rejected[path] = str(exc)
            return RegistryEvent("rejected", path, str(exc))
        info = model.info
        if self._crops is not None and info.crop not in self._crops:
            return RegistryEvent(
                "kept", path, f"{path}: a {info.crop} model, not a crop grown here"
            )
        with self._lock:
            self._rejected.pop(path, None)
            if info.sha256 in self._retired:
                return RegistryEvent(
                    "kept", path, f"{path}: {info.label} was rolled back; not used"
                )
            current = self._active.get(info.crop)
            if current is not None and parse_version(info.version) <= parse_version(
                current.info.version
            ):
                return RegistryEvent(
                    "kept",
                    path,
                    f"{path}: {info.label} is valid but not newer than active {current.info.label}",
                )
            if current is not None:
                self._previous.setdefault(info.crop, []).append(current)
            self._active[info.crop] = model
        return RegistryEvent("activated", path, f"{info.crop}: now using {info.label} ({path})")

    def active(self, crop: str) -> LoadedModel | None:
        with self._lock:
            return self._active.get(crop)

    def crops(self) -> list[str]:
        with self._lock:
            return sorted(self._active)

    def rollback(self, crop: str) -> RegistryEvent:
        """Return ``crop`` to the model active before the current one."""
        with self._lock:
            stack = self._previous.get(crop, [])
            current = self._active.get(crop)
            if current is None or not stack:
                raise LookupError(f"crop {crop!r}: no earlier model to roll back to")
            restored = stack.pop()
            self._retired.add(current.info.sha256)
            self._active[crop] = restored
        message = f"{crop}: rolled back from {current.info.label} to {restored.info.label}"
        log.warning(message)
        return RegistryEvent("rolled_back", restored.info.path, message)

    def rejected(self) -> dict[Path, str]:
        with self._lock:
            return dict(self._rejected)
