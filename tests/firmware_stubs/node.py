"""A host firmware binary as a test drives it: on one end of a socat cable, its
control channel on stdin/stdout, its sanitizer reports on stderr.

Every wait here is for something the node says (its ready line, a command's
answer, an output event) or for bytes on the line, never for time passing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.rtu_support import Socat, pty_pair_addresses

SANITIZER_MARKS = (
    "runtime error",
    "AddressSanitizer",
    "UndefinedBehaviorSanitizer",
    "LeakSanitizer",
)


class NodeProcess:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        """Everything the node printed, in order."""
        self._unclaimed: list[str] = []
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read_stdout())

    @classmethod
    async def start(cls, binary: Path, *args: str) -> NodeProcess:
        proc = await asyncio.create_subprocess_exec(
            str(binary),
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        node = cls(proc)
        await node.expect("ready ")
        # What the node drove at power-up is history, not an event to wait for.
        node._unclaimed.clear()
        return node

    async def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            text = line.decode().rstrip("\n")
            self.lines.append(text)
            await self._queue.put(text)
        await self._queue.put(None)

    async def expect(self, prefix: str, timeout_s: float = 10.0) -> str:
        """The next line starting with ``prefix``, including one printed while
        the test waited for something else."""
        for seen in self._unclaimed:
            if seen.startswith(prefix):
                self._unclaimed.remove(seen)
                return seen
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    line = await self._queue.get()
                    if line is None:
                        stderr = await self._stderr()
                        raise AssertionError(f"node exited waiting for {prefix!r}: {stderr}")
                    if line.startswith(prefix):
                        return line
                    self._unclaimed.append(line)
        except TimeoutError:
            raise AssertionError(
                f"no line {prefix!r} from the node; it said: {self.lines}"
            ) from None

    async def command(self, text: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode() + b"\n")
        await self.proc.stdin.drain()
        word = text.split()[0]
        answer = await self.expect("stats " if word == "stats" else f"ok {word}")
        return answer

    async def stats(self) -> dict[str, int]:
        line = await self.command("stats")
        return {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}

    async def wait_stats(self, **want: int) -> dict[str, int]:
        """Asks for the counters until each named one has the value given."""
        async with asyncio.timeout(10):
            while True:
                stats = await self.stats()
                if all(stats[k] == v for k, v in want.items()):
                    return stats

    async def _stderr(self) -> str:
        assert self.proc.stderr is not None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                return (await self.proc.stderr.read()).decode(errors="replace")
        return "(stderr unreadable)"

    async def stop(self) -> None:
        """Ends the node by closing its stdin; it must exit 0 with no sanitizer report."""
        if self.proc.returncode is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        async with asyncio.timeout(10):
            stderr = await self._stderr()
            code = await self.proc.wait()
        await self._reader
        assert not any(mark in stderr for mark in SANITIZER_MARKS), stderr
        assert code == 0, f"node exited {code}: {stderr}"


@asynccontextmanager
async def cable(directory: Path, name: str = "bus") -> AsyncIterator[tuple[Path, Path]]:
    """A null-modem cable of two ptys: (gateway end, node end)."""
    gateway, node = directory / f"{name}-gateway", directory / f"{name}-node"
    line = Socat(*pty_pair_addresses(gateway, node))
    await line.start()
    try:
        yield gateway, node
    finally:
        await line.stop()


@asynccontextmanager
async def running_node(binary: Path, *args: str) -> AsyncIterator[NodeProcess]:
    node = await NodeProcess.start(binary, *args)
    try:
        yield node
    finally:
        await node.stop()
