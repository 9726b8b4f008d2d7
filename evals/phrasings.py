"""A language suite for ``kitchen-v0`` at seed 0: instructions and the goal each must mean.

Seed 0 holds a yellow mug and a green mug, a blue bowl, a red apple (on the dining
table), a yellow banana, an orange, a green bottle, a red cereal box, a red can and a
yellow sponge; the apple, banana, orange, bottle and sponge are misplaced. Tests check that the planner reads
each instruction as its goal; ``scripts/bench_phrasings.py`` executes every one.
If the scene's seeding changes, the scene's version must change (and this table with it).
"""

from __future__ import annotations

from typing import Final

SCENE: Final = "kitchen-v0"
SEED: Final = 0

_TIDY: Final = (
    "in(mug_0, dish_rack)",
    "in(mug_1, dish_rack)",
    "in(bowl_0, dish_rack)",
    "in(apple_0, fruit_bowl)",
    "in(banana_0, fruit_bowl)",
    "in(orange_0, fruit_bowl)",
    "in(bottle_0, shelf)",
    "in(cereal_box_0, shelf)",
    "in(can_0, trash_bin)",
    "in(sponge_0, sink)",
)

PHRASINGS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("tidy the kitchen", _TIDY),
    ("clean up", _TIDY),
    (
        "put away the fruit",
        ("in(apple_0, fruit_bowl)", "in(banana_0, fruit_bowl)", "in(orange_0, fruit_bowl)"),
    ),
    ("clear the table", ("in(apple_0, fruit_bowl)",)),
    ("put the yellow mug in the sink", ("in(mug_0, sink)",)),
    ("could you put the green mug in the sink", ("in(mug_1, sink)",)),
    ("put the green cup on the dining table", ("in(mug_1, dining_table)",)),
    ("move the banana to the table", ("in(banana_0, dining_table)",)),
    ("please put the orange in the fruit bowl", ("in(orange_0, fruit_bowl)",)),
    ("put the water bottle on the shelf", ("in(bottle_0, shelf)",)),
    ("put the sponge back where it belongs", ("in(sponge_0, sink)",)),
    ("bring the red apple to the fruit bowl", ("in(apple_0, fruit_bowl)",)),
    ("take the cereal box to the counter", ("in(cereal_box_0, counter)",)),
    ("throw away the bottle", ("in(bottle_0, trash_bin)",)),
    ("go to the sink", ("robot_at(sink)",)),
    ("navigate to the trash can", ("robot_at(trash_bin)",)),
    ("pick up the blue bowl", ("holding(bowl_0)",)),
    ("grab the sponge", ("holding(sponge_0)",)),
)
"""``(instruction, goal literals)`` pairs; every instruction needs the robot to act."""

REJECTED: Final[tuple[tuple[str, str], ...]] = (
    ("", "empty"),
    ("make me a sandwich", "can"),
    ("asdf qwerty", "can"),
    ("put the mug in the sink", "ambiguous"),
    ("put the cereal box in the fridge", "fridge"),
    ("pick up the purple elephant", "elephant"),
    ("put the sink in the trash bin", "place"),
    ("put the banana in the blue bowl", "not a place"),
)
"""``(instruction, word the one-line reason must contain)``: malformed, unknown, ambiguous, impossible."""
