"""Kitchen suites on ``kitchen-v0``: tidy k misplaced objects, and CALVIN-style chains of 5.

``kitchen-tidy-v0``: episode seed ``s`` misplaces ``k = 1 + s % 5`` objects (so any 5
consecutive seeds cover k = 1..5) in the kitchen world of seed ``s``; the instruction is
"tidy the kitchen" and success means every object is in its home, within 360 policy
steps (36 s simulated) per misplaced object.

``kitchen-chain5-v0``: the kitchen of seed ``s`` as the scene draws it (2-5 misplaced);
five pick-and-place instructions drawn from that scene with a generator seeded by suite
id and seed. Each moves a different object to a place it is not in (its home, or one of
the places the scene itself misplaces objects onto; each place receives at most one
object that does not live there), so every instruction is feasible from the state the
previous ones leave. Nothing is taken out of the trash bin: things are dropped into it,
and a 45 cm deep bin on the floor is beyond the arm's reach. The next instruction is
given only after the previous succeeded, in the same world with no reset; each has a cap
of 360 policy steps (CALVIN's per-subtask cap; 36 s at 10 Hz).
"""

from __future__ import annotations

from typing import ClassVar

from agentrt.core.registry import SUITES
from agentrt.core.scene import ObjectInfo, SceneDescription
from evals.suites.base import EpisodeSpec, Suite, Task

SCENE = "kitchen-v0"
STEPS_PER_TASK = 360
"""Policy steps (10 Hz) allowed per object to tidy and per chain instruction."""
CHAIN_TARGETS: tuple[str, ...] = ("counter", "dining_table", "sink", "shelf", "dish_rack")
"""Places an object may be sent to besides its home (those ``kitchen-v0`` misplaces onto)."""
NO_PICK_FROM = frozenset({"trash_bin"})
"""Places chain instructions never take an object out of."""
IN_PLACES = frozenset({"sink", "fruit_bowl", "dish_rack", "trash_bin"})
"""Places one puts things *in*; the others one puts things *on*."""
TEMPLATES: tuple[str, ...] = (
    "put the {object} {prep} the {place}",
    "move the {object} to the {place}",
    "bring the {object} to the {place}",
    "take the {object} to the {place}",
)


@SUITES.register("kitchen-tidy-v0")
class KitchenTidy(Suite):
    """Tidy the kitchen with k = 1..5 misplaced objects (k = 1 + seed % 5)."""

    suite_id = "kitchen-tidy-v0"
    scene = SCENE
    description = "tidy the kitchen: k = 1..5 misplaced objects (k = 1 + seed % 5), 360 steps per object"
    group_by = ("k",)
    instruction: ClassVar[str] = "tidy the kitchen"

    def spec(self, seed: int) -> EpisodeSpec:
        k = 1 + seed % 5
        return EpisodeSpec(
            suite=self.suite_id,
            seed=seed,
            scene=self.scene,
            scene_config={"min_misplaced": k, "max_misplaced": k},
            tags={"k": k},
        )

    def tasks(self, spec: EpisodeSpec, scene: SceneDescription) -> list[Task]:
        goal = tuple(f"in({o.id}, {o.home})" for o in scene.objects if o.home)
        k = int(spec.tags["k"])
        return [Task(instruction=self.instruction, goal=goal, step_cap=STEPS_PER_TASK * k)]


@SUITES.register("kitchen-chain5-v0")
class KitchenChain5(Suite):
    """Chains of five pick-and-place instructions in one kitchen world (CALVIN protocol)."""

    suite_id = "kitchen-chain5-v0"
    scene = SCENE
    description = "CALVIN-style chains of 5 instructions in one world, 360 steps each"
    chain_length = 5

    def spec(self, seed: int) -> EpisodeSpec:
        return EpisodeSpec(suite=self.suite_id, seed=seed, scene=self.scene)

    def tasks(self, spec: EpisodeSpec, scene: SceneDescription) -> list[Task]:
        return draw_chain(scene, self.rng(spec.seed, "chain"), self.chain_length or 5)


def draw_chain(scene: SceneDescription, rng, length: int) -> list[Task]:  # noqa: ANN001 - np Generator
    """``length`` instructions, each moving an unused object to a place it is not in.

    Args:
        scene: the initial scene (objects with ``location`` and ``home``).
        rng: a ``numpy.random.Generator``; the draw depends only on it and ``scene``.
        length: how many instructions.

    Raises:
        ValueError: the scene has too few nameable objects for a chain this long.
    """
    names = [o.name for o in scene.objects]
    nameable = [
        o
        for o in scene.objects
        if names.count(o.name) == 1 and o.location is not None and o.location not in NO_PICK_FROM
    ]
    arrivals: set[str] = set()  # places that already received an object that does not live there
    used: set[str] = set()
    tasks: list[Task] = []
    for _ in range(length):
        pairs = [
            (obj, place)
            for obj in nameable
            if obj.id not in used
            for place in _targets(obj)
            if place != obj.location and (place == obj.home or place not in arrivals)
        ]
        if not pairs:
            raise ValueError(f"scene {scene.scene} cannot give a chain of {length} distinct moves")
        obj, place = pairs[int(rng.integers(len(pairs)))]
        template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
        prep = "in" if place in IN_PLACES else "on"
        text = template.format(object=obj.name, prep=prep, place=place.replace("_", " "))
        tasks.append(Task(instruction=text, goal=(f"in({obj.id}, {place})",), step_cap=STEPS_PER_TASK))
        used.add(obj.id)
        if place != obj.home:
            arrivals.add(place)
    return tasks


def _targets(obj: ObjectInfo) -> list[str]:
    """Where ``obj`` may be sent: its home first, then the misplacement targets."""
    home = [obj.home] if obj.home else []
    return home + [p for p in CHAIN_TARGETS if p != obj.home]
