"""agentrt.core.actions: the base-only action keeps the gripper as it is."""

from __future__ import annotations

import numpy as np

from agentrt.core.actions import ARM_KEY, BASE_KEY, drive_action


def test_a_drive_action_moves_only_the_base_and_keeps_the_gripper() -> None:
    holding = drive_action(np.array([0.2, -0.1, 0.3]), holding=True)
    assert holding[ARM_KEY].dtype == np.float32 and holding[BASE_KEY].dtype == np.float32
    np.testing.assert_array_equal(holding[ARM_KEY], [0, 0, 0, 0, 0, 0, 1])
    np.testing.assert_allclose(holding[BASE_KEY], [0.2, -0.1, 0.3], rtol=1e-6)
    assert drive_action(np.zeros(3), holding=False)[ARM_KEY][-1] == -1.0
