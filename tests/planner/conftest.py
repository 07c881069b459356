"""Shared planner fixtures: the documented village example, solved once per module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planner.plan import Plan
from planner.problem import Problem
from planner.problem_json import load_problem
from planner.solve import solve

os.environ.setdefault("OMP_NUM_THREADS", "1")

EXAMPLE = Path(__file__).resolve().parents[2] / "planner" / "examples" / "village.json"


@pytest.fixture(scope="module")
def village() -> Problem:
    return load_problem(EXAMPLE)


@pytest.fixture(scope="module")
def village_plan(village: Problem) -> Plan:
    return solve(village, 1.0, workers=1)
