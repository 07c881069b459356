"""Run several searches on the same problem, in parallel where cores allow.

The first search runs in this process; the others in forked children, one per
spare worker, each sending back plain stop sequences. On a two-core gateway two
differently built searches (or OR-Tools and PyVRP) cover more ground than one
search given both cores' worth of time, because local search gets stuck in
different places.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection

from planner.search import RawSolution

log = logging.getLogger(__name__)

GRACE_S = 10.0  # model building and hand-back time beyond the search budget


@dataclass(frozen=True)
class Search:
    name: str
    run: Callable[[float], RawSolution | None]  # budget in seconds


def race(searches: Sequence[Search], budget_s: float, workers: int) -> list[RawSolution]:
    """Every search's solution (those that found one), in the order given."""
    if not searches:
        return []
    if workers <= 1 or len(searches) == 1:
        share = budget_s / len(searches)
        found = [_safe(s, share) for s in searches]
        return [r for r in found if r is not None]
    # Fork: the children inherit the built problem instead of pickling it, and
    # start in milliseconds. They only compute and send back plain data.
    ctx = multiprocessing.get_context("fork")
    parallel = list(searches[1:workers])
    rounds = max(1, -(-len(searches) // workers))
    share = budget_s / rounds
    children: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    for search in parallel:
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child, args=(search, share, send), daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    results = [_safe(searches[0], share)]
    for search in searches[workers:]:
        results.append(_safe(search, share))
    for process, receive in children:
        result = None
        if receive.poll(share + GRACE_S):
            try:
                result = receive.recv()
            except EOFError:
                result = None
        process.join(1.0)
        if process.is_alive():
            process.kill()
            process.join()
        results.append(result)
    return [r for r in results if r is not None]


def _safe(search: Search, budget_s: float) -> RawSolution | None:
    try:
        return search.run(budget_s)
    except Exception:
        # One engine failing (a solver bug on an odd input) must not cost the plan.
        log.exception("search %s failed", search.name)
        return None


def _child(search: Search, budget_s: float, send: Connection) -> None:
    try:
        send.send(_safe(search, budget_s))
    finally:
        send.close()
