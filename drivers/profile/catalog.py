"""Finding and loading profiles: the shipped directory plus the site's own."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from drivers.profile.model import Profile, ProfileError
from drivers.profile.parse import parse_profile

PROFILE_DIR = Path(__file__).resolve().parent.parent / "profiles"


def available_profiles(extra_dirs: Sequence[Path] = ()) -> dict[str, Path]:
    """Profile name (file stem) to file; later directories override earlier ones."""
    found: dict[str, Path] = {}
    for directory in (PROFILE_DIR, *extra_dirs):
        if not directory.is_dir():
            raise ProfileError(_display(directory), ["profile directory does not exist"])
        for path in sorted(directory.glob("*.toml")):
            found[path.stem] = path
    return found


def load_profile(name_or_path: str | Path, extra_dirs: Sequence[Path] = ()) -> Profile:
    """Load and check a profile given by name (see :func:`available_profiles`) or path."""
    if isinstance(name_or_path, Path) or "/" in name_or_path or name_or_path.endswith(".toml"):
        return _load_file(Path(name_or_path))
    known = available_profiles(extra_dirs)
    path = known.get(name_or_path)
    if path is None:
        names = ", ".join(sorted(known)) or "none"
        raise ProfileError(
            f"profile {name_or_path!r}",
            [f"no such profile; available: {names}"],
        )
    return _load_file(path)


def _load_file(path: Path) -> Profile:
    shown = _display(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ProfileError(shown, ["file not found"]) from None
    except OSError as exc:
        raise ProfileError(shown, [f"cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise ProfileError(shown, [f"not UTF-8 text (byte {exc.start})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(shown, [f"TOML syntax error: {exc}"]) from None
    problems: list[str] = []
    profile = parse_profile(path, data, problems)
    if problems or profile is None:
        raise ProfileError(shown, problems)
    return profile


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
