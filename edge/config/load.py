"""Reading the configuration file: TOML syntax, schema, then cross-references.

Nothing stops at the first problem: every issue of the file is collected and
raised together, sorted by line, so one run of ``check-config`` shows them all.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import ValidationError

from edge.config.errors import ConfigError, ConfigIssue, Problem, problems_from_validation
from edge.config.keypath import format_key_path
from edge.config.locate import KeyLocator
from edge.config.references import check_references
from edge.config.schema import Config

_TOML_POSITION = re.compile(r"^(?P<what>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")
_TOML_AT_END = re.compile(r"^(?P<what>.*?) \(at end of document\)$")


def load_config(path: Path) -> Config:
    """Read and validate ``path``; raise :class:`ConfigError` listing every issue."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            [ConfigIssue(file, None, "", f"cannot read the file: {reason}")]
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})"
        raise ConfigError([ConfigIssue(file, line, "", message)]) from None
    return parse_config(text, file)


def parse_config(text: str, file: str) -> Config:
    """Validate configuration ``text``; ``file`` is the name used in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_syntax_issue(exc, text, file)]) from None
    problems: list[Problem] = []
    config: Config | None = None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, Config))
    problems.extend(check_references(data))
    if problems or config is None:
        raise ConfigError(_place(problems, text, file))
    return config


def _place(problems: list[Problem], text: str, file: str) -> list[ConfigIssue]:
    locator = KeyLocator(text)
    issues = {
        ConfigIssue(file, locator.line_of(p.path), format_key_path(p.path), p.message)
        for p in problems
    }
    # Unplaced issues go last; the rest read top to bottom like the file.
    return sorted(issues, key=lambda i: (i.line is None, i.line or 0, i.key, i.message))


def _syntax_issue(error: tomllib.TOMLDecodeError, text: str, file: str) -> ConfigIssue:
    # Python 3.11's tomllib carries the position only inside its message.
    message = str(error)
    if match := _TOML_POSITION.match(message):
        what = match["what"]
        line: int | None = int(match["line"])
        column: int | None = int(match["col"])
    elif match := _TOML_AT_END.match(message):
        what = match["what"] + " at the end of the file"
        line, column = text.count("\n") + 1, None
    else:
        what, line, column = message, None, None
    what = what[:1].lower() + what[1:]
    return ConfigIssue(file, line, "", f"TOML syntax error: {what}", column)
