"""Seed ranges: which scenes train, which develop, which only measure.

Every scene is drawn from one integer seed, so a split of seeds is a split of scenes.

- :data:`DEV_SEEDS` (100000-199999): the development evaluation ("held-out" from training, but
  traced, debugged and used to choose models and fixes). ``eval skill`` and the benchmarks
  start at :data:`DEV_SEED_START` by default.
- :data:`TEST_SEEDS` (200000-200999): the test split. Never traced, tuned on, or used to choose a
  model or a fix; headline figures are measured here and nowhere is data generated from it.
- Everything else trains: collection, demonstrations, DAgger, rendered crops (e.g.
  :data:`DAGGER_SEED_START` and up, 300000+ for demonstrations, 500000+ for rendered views).

The shipped navigation model's DAgger data (``skills/vla/checkpoints/kitchen-v0-navigation.md``)
was drawn from seeds 200000-200099 before this split was fixed: for navigation those 100 seeds
of the test split are not unseen, and figures on them must say so.
"""

from __future__ import annotations

from collections.abc import Iterable

DEV_SEED_START = 100_000
"""First seed of the development evaluation."""
DEV_SEEDS = range(DEV_SEED_START, 200_000)
TEST_SEEDS = range(200_000, 201_000)
"""The test split: measure only."""
DAGGER_SEED_START = 210_000
"""Default first seed of DAgger runs (past the test split)."""


def in_test_split(seeds: Iterable[int]) -> list[int]:
    """The seeds of ``seeds`` that belong to :data:`TEST_SEEDS`, in order."""
    return [s for s in seeds if s in TEST_SEEDS]


def refuse_test_seeds(seeds: Iterable[int], what: str) -> None:
    """Raise ``ValueError`` if ``what`` (a data-generating step) would draw scenes of the test split."""
    found = in_test_split(seeds)
    if found:
        raise ValueError(
            f"{what} would use seeds {found[0]}-{found[-1]} of the test split "
            f"({TEST_SEEDS.start}-{TEST_SEEDS.stop - 1}), which no training data may come from"
        )
