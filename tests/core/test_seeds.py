"""The seed splits: the test split is 200000-200999 and data generation refuses it."""

from __future__ import annotations

import pytest

from agentrt.core.seeds import DAGGER_SEED_START, DEV_SEEDS, TEST_SEEDS, in_test_split, refuse_test_seeds


def test_the_splits_are_where_the_design_puts_them_and_do_not_overlap() -> None:
    assert (TEST_SEEDS.start, TEST_SEEDS.stop) == (200_000, 201_000)
    assert DEV_SEEDS.start == 100_000 and not set(DEV_SEEDS) & set(TEST_SEEDS)
    assert DAGGER_SEED_START not in TEST_SEEDS


def test_generating_data_from_test_seeds_is_refused_with_the_range() -> None:
    assert in_test_split(range(199_998, 200_002)) == [200_000, 200_001]
    refuse_test_seeds(range(210_000, 210_100), "DAgger")  # past the split: fine
    with pytest.raises(ValueError, match=r"DAgger would use seeds 200000-200049 of the test split"):
        refuse_test_seeds(range(199_990, 200_050), "DAgger")
