"""``tabletop-v0``: a fixed Panda at a table with coloured blocks, two bowls and a tray.

Small and fast, for tests. The Panda's mount (``panda_link0``) is at the world origin
on the table top (z = 0.4 m), facing +x. Blocks (``block_0``...) are 4 cm cubes in
distinct colours drawn per seed; a red or blue block belongs in the bowl of its colour,
any other block in the tray. Each seed misplaces 1-3 blocks.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from agentrt.core.registry import SCENES
from scenes.assets import BLOCK_PALETTE, BLOCK_SHAPE, COLOURS
from scenes.base import AgentEnv, SceneConfig
from scenes.robots.mobile_panda import FixedPanda
from scenes.world import ObjectRecord, Place, Region, add_box, add_container

TABLE_Z = 0.4
"""Height of the table top (m)."""


class TabletopConfig(SceneConfig):
    """Knobs of ``tabletop-v0`` (all seed-independent)."""

    num_blocks: int = Field(default=4, ge=1, le=6, description="number of blocks")
    min_misplaced: int = Field(default=1, ge=0, le=6, description="fewest blocks misplaced per seed")
    max_misplaced: int = Field(default=3, ge=0, le=6, description="most blocks misplaced per seed")


@SCENES.register("tabletop-v0")
class TabletopEnv(AgentEnv):
    """Blocks, bowls and a tray in front of a fixed Panda (``panda``)."""

    scene_id = "tabletop-v0"
    Config = TabletopConfig
    robot_cls = FixedPanda
    bounds = (-0.5, -1.0, 1.5, 1.0)
    max_episode_steps = 500

    def _build(self, rng: np.random.Generator) -> tuple[float, ...]:
        c = self.client
        add_box(c, (0, 0, -0.05), (2.0, 2.0, 0.05), (0.82, 0.8, 0.76, 1))
        add_box(c, (0.35, 0.0, TABLE_Z / 2), (0.55, 0.65, TABLE_Z / 2), (0.6, 0.45, 0.3, 1))
        self.fixtures.append((-0.2, -0.65, 0.9, 0.65))
        for pid, name, center, color in (
            ("red_bowl", "red bowl", (0.38, 0.33), COLOURS["red"]),
            ("blue_bowl", "blue bowl", (0.38, -0.33), COLOURS["blue"]),
        ):
            region = add_container(c, center, (0.11, 0.11), TABLE_Z, 0.03, color)
            self.places[pid] = Place(pid, name, "bowl", region, None, ("dish",))
        tray = add_container(c, (0.58, 0.0), (0.11, 0.18), TABLE_Z, 0.025, (0.3, 0.3, 0.32, 1))
        self.places["tray"] = Place("tray", "tray", "tray", tray, None, ("box",))
        table = Region((0.32, 0.0), (0.08, 0.14), TABLE_Z, TABLE_Z)
        self.places["table"] = Place("table", "table", "table", table, None, ("table top",))
        n = self.config.num_blocks
        colours = [str(BLOCK_PALETTE[i]) for i in rng.permutation(len(BLOCK_PALETTE))[:n]]
        records = []
        for k, colour in enumerate(colours):
            home = f"{colour}_bowl" if colour in ("red", "blue") else "tray"
            records.append(ObjectRecord(f"block_{k}", f"{colour} block", "block", colour, home, BLOCK_SHAPE))
        lo, hi = self.config.min_misplaced, max(self.config.min_misplaced, self.config.max_misplaced)
        misplaced = set(rng.choice(n, size=min(int(rng.integers(lo, hi + 1)), n), replace=False).tolist())
        order = [i for i in range(n) if i not in misplaced] + sorted(misplaced)
        for i in order:
            rec = records[i]
            if i in misplaced:
                targets = [t for t in self.places if t != rec.home]
                targets = [targets[j] for j in rng.permutation(len(targets))]
            else:
                targets = [rec.home]
            # a full home (or every misplacement target full) falls back to any place with room
            targets += [t for t in self.places if t not in targets]
            if not any(self._spawn(rec, t, rng, COLOURS[rec.colour]) for t in targets):
                raise RuntimeError(f"no room for {rec.id} anywhere on the table")
        self.objects = {rec.id: self.objects[rec.id] for rec in records}
        return (0.0, 0.0, TABLE_Z, 0.0)

