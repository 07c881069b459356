"""Starting the simulator as a child process and learning where it listens.

For ``kakashi demo`` and tests: the simulator is a separate process (it
shares nothing with the service but protocols), started with the same Python
and stopped with SIGTERM. Only the standard library is imported here, so a
parent pays nothing for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEMO_SCENARIO = "mountain_village.toml"
DEMO_DATABASE = "kakashi.db"
DEMO_HISTORY = "history.jsonl"
START_TIMEOUT_S = 60.0
"""Starting includes spinning the fields' crop models up to the start date."""
STOP_TIMEOUT_S = 10.0


@dataclass
class SimulatorProcess:
    proc: asyncio.subprocess.Process
    endpoints: dict[str, Any]
    """As printed on the ``ready`` line: buses, control, runtime_dir, config."""
    config_path: Path | None = None
    stderr_tail: list[str] = field(default_factory=list)

    @property
    def control_url(self) -> str:
        control = self.endpoints["control"]
        return f"http://{control['host']}:{control['port']}"

    async def stop(self) -> int:
        """SIGTERM, then SIGKILL if it does not exit in time; its exit status."""
        proc = self.proc
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        assert proc.returncode is not None
        return proc.returncode


async def start_simulator(
    scenario: str | Path,
    *,
    write_config: str | Path | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int | None = None,
    speed: float | None = None,
    runtime_dir: str | Path | None = None,
    align_to_today: bool = False,
    write_history: str | Path | None = None,
    extra_args: Sequence[str] = (),
    cwd: str | Path | None = None,
) -> SimulatorProcess:
    """Start ``python -m sim`` for ``scenario``; return once it printed its endpoints.

    ``write_config`` makes it write the gateway configuration for its endpoints
    there, with ``settings`` (``{"web": {"port": 0}}``) overriding keys;
    ``align_to_today`` moves its planting dates (and the history's timestamps)
    to today's calendar; ``write_history`` has it write the season so far there
    (JSON lines) before it reports ready.
    RuntimeError (with the simulator's own words) if it fails to start.
    """
    args = [sys.executable, "-m", "sim", "--scenario", str(scenario)]
    if write_config is not None:
        args += ["--write-config", str(write_config)]
    if align_to_today:
        args.append("--align-to-today")
    if write_history is not None:
        args += ["--write-history", str(write_history)]
    for table, items in (settings or {}).items():
        for key, value in items.items():
            args += ["--set", f"{table}.{key}={_toml_value(value)}"]
    if seed is not None:
        args += ["--seed", str(seed)]
    if speed is not None:
        args += ["--speed", repr(float(speed))]
    if runtime_dir is not None:
        args += ["--runtime-dir", str(runtime_dir)]
    args += list(extra_args)
    proc = await asyncio.create_subprocess_exec(
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=None if cwd is None else str(cwd),
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT_S)
    except TimeoutError:
        line = b""
    text = line.decode(errors="replace").strip()
    if not text.startswith("ready "):
        running = SimulatorProcess(proc, {})
        await running.stop()
        said = (await proc.stderr.read()).decode(errors="replace").strip()
        raise RuntimeError(f"the simulator failed to start: {said or text or 'no output'}")
    endpoints = json.loads(text[len("ready ") :])
    # Keep draining stderr so a chatty simulator never blocks on a full pipe.
    running = SimulatorProcess(
        proc, endpoints, None if write_config is None else Path(write_config)
    )
    asyncio.get_running_loop().create_task(_drain(proc.stderr, running.stderr_tail))
    return running


async def _drain(stream: asyncio.StreamReader, tail: list[str]) -> None:
    while line := await stream.readline():
        tail.append(line.decode(errors="replace").rstrip())
        del tail[:-50]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value))


def demo_scenario_path() -> Path:
    """The mountain village scenario ``kakashi demo`` plays, from the source tree
    (the install is editable: scripts/lib.sh installs with ``pip install -e``)."""
    path = Path(__file__).resolve().parent.parent / "examples" / "scenarios" / DEMO_SCENARIO
    if not path.is_file():
        raise RuntimeError(f"the demo scenario is missing: {path}")
    return path


async def start_demo_simulator(
    data_dir: Path, web_port: int, *, speed: float | None = None, history: bool = True
) -> SimulatorProcess:
    """The mountain village for ``kakashi demo``: started, with the gateway configuration
    for it written to ``data_dir/gateway.toml`` (web on 127.0.0.1:``web_port``, storage
    in ``data_dir/kakashi.db``). The scenario's season is played from today's date
    (its planting dates moved by as many days as its clock start is before today), and
    with ``history`` the sensors' readings from planting to the start are written to
    ``data_dir/history.jsonl`` (``endpoints["history"]``). The caller loads
    ``config_path`` and runs the service on it."""
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    return await start_simulator(
        demo_scenario_path(),
        write_config=data_dir / "gateway.toml",
        settings={
            "web": {"host": "127.0.0.1", "port": web_port},
            "storage": {"path": str(data_dir / DEMO_DATABASE), "batch_wait_s": 0.5},
            "logging": {"level": "info"},
        },
        speed=speed,
        runtime_dir=data_dir / "sim",
        align_to_today=True,
        write_history=data_dir / DEMO_HISTORY if history else None,
    )
