"""The suite's slice of the false-alarm sweep: correct clients through every scenario, two seeds.

The whole sweep (seeds 0-20, 200 guests) is ``python -m tests.mutants.matrix --sweep``.
"""

from __future__ import annotations

import pytest

from .sweep import run_one, sweep_slice


@pytest.mark.parametrize(("client", "scenario", "seed", "guests"), sweep_slice())
def test_a_correct_client_passes_the_scenario(client: str, scenario: str, seed: int, guests: int) -> None:
    run = run_one(client, scenario, seed, guests)

    assert run.passed, f"false alarm: {run.aborted or run.failures}\n  replay: {run.replay}"
