"""Score a learned skill on held-out seeds beside the scripted expert on the same seeds.

One *case* per seed (:func:`setup_case`), the same for the learned skill and the expert:

- ``navigate_to``: reset the scene with the seed; a start is drawn among the reset pose and
  every place (the scripted ``navigate_to`` drives to a drawn place), then the goal among the
  places the robot is not at, so runs start from everywhere a plan can leave the robot.
  With ``carry`` (``eval-skill navigate_to --carry``): the drives tidying makes while holding
  something: the scripted skills go to an object drawn as for ``pick`` and pick it up; the goal
  is its home (another receptacle where it lies at home already).
  With ``wander`` (``eval-skill navigate_to --wander``, with or without ``carry``): the same
  case, but before the drive the base wanders off under random constant velocities
  (:func:`wander_base`), pushing into furniture as it meets it, so the drive starts where a
  learned drive that went astray leaves the robot (tidying's retry after a failed drive starts
  there), not where demonstrations start.
- ``pick``: reset; an object is drawn among those lying in a receptacle (not the trash
  bin); the scripted ``navigate_to`` brings the robot to it.
- ``place``: as ``pick``, then the scripted ``pick`` grasps it; a receptacle other than
  where it lay is drawn and the scripted ``navigate_to`` drives there.

Scripted runs (set-ups and the expert) render no camera images (:meth:`scenes.base.AgentEnv.cameras_paused`
where the scene has it): they read none, and rendering is most of a step's cost.
Draws use ``numpy.random.default_rng((seed, salt of the skill))``; a seed whose scripted
setup fails is reported in ``setup_failures`` and left out of every rate. Success is judged
by the simulator: the skill's ground effects hold in ``env.facts()`` after the call.
Learned runs use the canonical instruction with natural names (``"pick up the red mug"``)
and, separately, a paraphrase from :data:`PARAPHRASES` (drawn per seed). Latency is the wall
time of each ``predict_chunk`` call. :func:`evaluate_skill` runs the seeds one after another
in this process (a training-time callback passes ``expert=False, paraphrases=False``: the
expert's runs cost as much as the learned ones); ``agentrt eval-skill --workers K``
spreads seeds over Ray actors, each a :class:`SeedRunner`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from agentrt.core.registry import SCENES, SKILLS
from agentrt.core.scene import SceneDescription
from agentrt.core.symbolic import bindings, parse_literal
from skills.base import StepHook
from skills.learned import LEARNED_SKILLS, LearnedSkill, effects_hold
from skills.vla.ensemble import ExecutionConfig
from skills.vla.protocol import ChunkPolicy

PARAPHRASES: dict[str, tuple[str, ...]] = {
    "pick": (
        "grab the {object}",
        "take the {object}",
        "pick the {object} up",
        "get the {object}",
        "lift the {object}",
    ),
    "place": (
        "place the {object} in the {receptacle}",
        "put it in the {receptacle}",
        "drop the {object} into the {receptacle}",
        "move the {object} to the {receptacle}",
        "set the {object} down in the {receptacle}",
    ),
    "navigate_to": (
        "drive to the {place}",
        "move to the {place}",
        "head over to the {place}",
        "navigate to the {place}",
        "go over to the {place}",
    ),
}
"""Instruction paraphrases per skill, formatted with the arguments' natural names."""
_SALT = {"navigate_to": 1, "pick": 2, "place": 3}
_CARRY_SALT = 4
_WANDER_SALT = 5
_UNPICKABLE = frozenset({"trash_bin"})


@dataclass(frozen=True)
class SkillCase:
    """One evaluation episode's setup: the skill's arguments and its two instructions."""

    seed: int
    args: dict[str, str]
    instruction: str
    paraphrase: str


@dataclass
class Outcome:
    """One skill call: who ran it, with which instruction, and whether the effects hold."""

    seed: int
    runner: str  # "learned" | "paraphrase" | "expert"
    instruction: str
    success: bool
    status: str
    reason: str | None
    steps: int
    latencies_ms: list[float] = field(default_factory=list)


def setup_case(
    env: Any, skill_name: str, seed: int, *, carry: bool = False, wander: bool = False
) -> tuple[SkillCase, SceneDescription] | None:
    """Reset ``env`` with ``seed`` and bring it to the start state of ``skill_name``'s case.

    ``navigate_to`` starts at the reset pose or a place, empty-handed, and goes to another
    place. With ``carry`` (``navigate_to`` only) it is a drive as tidying makes them: the
    scripted skills go to an object's place and pick it up, and the drive takes it to its home
    (or, when it already lies there, to another receptacle), holding it. With ``wander``
    (``navigate_to`` only) the base then wanders off (:func:`wander_base`, its own draws, so
    the goal is the one drawn without it) until it is not at the goal.

    Returns the case and the scene description to start from, or ``None`` when the
    scripted setup failed (the seed is then skipped for learned and expert alike).
    """
    if skill_name not in _SALT:
        raise ValueError(f"no evaluation setup for skill {skill_name!r}; known: {', '.join(_SALT)}")
    for option, on in (("carry", carry), ("wander", wander)):
        if on and skill_name != "navigate_to":
            raise ValueError(f"{option} is a navigate_to case; {skill_name} has none")
    rng = np.random.default_rng((seed, _CARRY_SALT if carry else _SALT[skill_name]))
    env.reset(seed=seed)
    scene = env.unwrapped.describe()
    if carry:
        obj, origin = _draw_object(scene, rng)
        if not (_scripted(env, "navigate_to", {"place": origin}) and _scripted(env, "pick", {"object": obj})):
            return None
        home = scene.object(obj).home
        places = sorted(p.id for p in scene.places if p.receptacle and p.id != origin)
        args = {"place": home if home in places else str(rng.choice(places))}
    elif skill_name == "navigate_to":
        starts = [None, *sorted(p.id for p in scene.places)]
        begin = starts[int(rng.integers(len(starts)))]
        if begin is not None and not _scripted(env, "navigate_to", {"place": begin}):
            return None
        here = env.unwrapped.describe().robot.at
        places = sorted(p.id for p in scene.places if p.id != here)
        args = {"place": str(rng.choice(places))}
    else:
        obj, origin = _draw_object(scene, rng)
        if not _scripted(env, "navigate_to", {"place": origin}):
            return None
        args = {"object": obj}
        if skill_name == "place":
            if not _scripted(env, "pick", args):
                return None
            receptacles = sorted(p.id for p in scene.places if p.receptacle and p.id != origin)
            args["receptacle"] = str(rng.choice(receptacles))
            if not _scripted(env, "navigate_to", {"place": args["receptacle"]}):
                return None
    if wander and not wander_base(env, args["place"], np.random.default_rng((seed, _WANDER_SALT))):
        return None
    start = env.unwrapped.describe()
    names = {k: start.natural_name(v) for k, v in args.items()}
    canonical = SKILLS.get(skill_name).instruction.format(**names)
    paraphrase = str(rng.choice(PARAPHRASES[skill_name])).format(**names)
    return SkillCase(seed, args, canonical, paraphrase), start


TOWARDS_COUNTER_M = 0.03
"""A base offset moves the base at most this far (m) towards the place it faces."""
OFFSET_DRIVE_STEPS = 15
"""A driven base offset takes this many 10 Hz steps (1.5 s; 0.13 m/s for 20 cm)."""


def offset_base(env: Any, radius_m: float, yaw_rad: float, rng: np.random.Generator, *, drive: bool) -> bool:
    """Move the base up to ``radius_m`` (m, uniform in a disc, at most :data:`TOWARDS_COUNTER_M`
    forward) and turn it up to ``yaw_rad`` (rad) from where it stands; whether it is still at the
    place it was at (``robot_at``), holding what it held.

    The starts the learned ``navigate_to`` leaves: it can rest anywhere ``robot_at`` holds, up to
    20 cm from the approach pose where the scripted drive stops within a centimetre. With ``drive``
    the base drives there at constant velocity for :data:`OFFSET_DRIVE_STEPS` steps, the arm still
    and the gripper kept (:func:`agentrt.core.actions.drive_action`), so a held object stays in
    the hand (cameras off); without, it is teleported and the arm homed (for a pick, which starts
    with an empty hand).
    """
    from agentrt.core.actions import CONTROL_HZ, drive_action
    from scenes.geometry import rot2

    e = env.unwrapped
    at, held = e.describe().robot.at, e.held_object()
    while True:
        r, angle = radius_m * np.sqrt(rng.uniform()), rng.uniform(-np.pi, np.pi)
        if r * np.cos(angle) <= TOWARDS_COUNTER_M:  # the base faces its place (+x)
            break
    dx, dy, dyaw = r * np.cos(angle), r * np.sin(angle), rng.uniform(-yaw_rad, yaw_rad)
    if drive:
        velocity = np.array([dx, dy, dyaw]) / (OFFSET_DRIVE_STEPS / CONTROL_HZ)
        with e.cameras_paused():
            for _ in range(OFFSET_DRIVE_STEPS):
                env.step(drive_action(velocity, held is not None))
            env.step(drive_action(np.zeros(3), held is not None))
    else:
        x, y, yaw = e.base_pose()
        wx, wy = rot2(yaw) @ [dx, dy]
        e.robot.reset(base_pose=(x + wx, y + wy, yaw + dyaw))
    return at is not None and e.describe().robot.at == at and e.held_object() == held


WANDER_SPEED_MPS = (0.2, 0.5)
"""Range of a wander leg's linear speed (m/s, base frame, any direction)."""
WANDER_TURN_RPS = 1.0
"""A wander leg turns at up to this rate (rad/s, either way)."""
WANDER_STEPS = (10, 30)
"""Range of a wander leg's length in 10 Hz steps (1-3 s)."""
WANDER_LEGS = (1, 3)
"""Range of the number of wander legs; up to 4 more while the base is still at the goal."""


def wander_base(env: Any, goal: str, rng: np.random.Generator) -> bool:
    """Drive the base off on 1-3 legs of random constant velocity (base frame; pushing into
    furniture when it meets some, as a drive gone astray does), then stop; more legs while the
    robot is still at ``goal``. Whether it ended away from ``goal`` holding what it held.

    The arm is still and the gripper kept (:func:`agentrt.core.actions.drive_action`); cameras
    are off (no one reads the frames).
    """
    from agentrt.core.actions import drive_action

    e = env.unwrapped
    held = e.held_object()
    n_legs = int(rng.integers(WANDER_LEGS[0], WANDER_LEGS[1] + 1))
    with _blind(env):
        for leg in range(n_legs + 4):
            if leg >= n_legs and e.describe().robot.at != goal:
                break
            heading, speed = rng.uniform(-np.pi, np.pi), rng.uniform(*WANDER_SPEED_MPS)
            velocity = [
                speed * np.cos(heading),
                speed * np.sin(heading),
                rng.uniform(-1, 1) * WANDER_TURN_RPS,
            ]
            for _ in range(int(rng.integers(WANDER_STEPS[0], WANDER_STEPS[1] + 1))):
                env.step(drive_action(np.asarray(velocity), held is not None))
        for _ in range(3):  # come to rest
            env.step(drive_action(np.zeros(3), held is not None))
    return e.describe().robot.at != goal and e.held_object() == held


def _draw_object(scene: SceneDescription, rng: np.random.Generator) -> tuple[str, str]:
    """An object lying in a receptacle (not the trash bin), and where it lies."""
    objects = sorted(o.id for o in scene.objects if o.location and o.location not in _UNPICKABLE)
    obj = str(rng.choice(objects))
    origin = scene.object(obj).location
    assert origin is not None
    return obj, origin


def place_draw(scene: SceneDescription, seed: int) -> tuple[str, str, str]:
    """The object, its place and the receptacle :func:`setup_case` draws for ``place`` with ``seed``
    (``scene`` just reset with it): the same case, for set-ups other than the scripted skills."""
    rng = np.random.default_rng((seed, _SALT["place"]))
    obj, origin = _draw_object(scene, rng)
    receptacles = sorted(p.id for p in scene.places if p.receptacle and p.id != origin)
    return obj, origin, str(rng.choice(receptacles))


def pick_draw(scene: SceneDescription, seed: int) -> tuple[str, str]:
    """The object :func:`setup_case` draws for ``pick`` with ``seed`` (``scene`` just reset with it)
    and the place it lies in: the same case, for a start other than the scripted drive."""
    return _draw_object(scene, np.random.default_rng((seed, _SALT["pick"])))


def run_case(
    env: Any,
    skill: Any,
    case: SkillCase,
    scene: SceneDescription,
    instruction: str,
    runner: str,
    max_steps: int | None = None,
    on_step: StepHook | None = None,
) -> Outcome:
    """Run ``skill`` from the state :func:`setup_case` left; judge by the effects on ``env.facts()``.

    ``on_step`` sees every step (e.g. DAgger's relabelling, :mod:`skills.vla.dagger`).
    """
    literals = [parse_literal(p) for p in skill.preconditions]
    start = {f"?{k}": v for k, v in case.args.items()}
    binding = (bindings(literals, scene.facts(), start) or [start])[0]
    result = skill.run(
        env, case.args, scene=scene, instruction=instruction, max_steps=max_steps, on_step=on_step
    )
    effects = [parse_literal(e) for e in skill.effects]
    success = effects_hold(effects, binding, env.unwrapped.facts())
    latencies = list(getattr(skill, "chunk_latencies_ms", []))
    return Outcome(
        case.seed, runner, instruction, success, result.status.value, result.reason, result.steps, latencies
    )


def evaluate_skill(
    policy: ChunkPolicy,
    skill_name: str,
    seeds: Iterable[int],
    scene: str = "kitchen-v0",
    *,
    expert: bool = True,
    paraphrases: bool = True,
    execution: ExecutionConfig | None = None,
    max_steps: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    carry: bool = False,
    wander: bool = False,
) -> dict[str, Any]:
    """Success of ``policy`` as the learned ``skill_name`` on ``seeds``, in this process.

    Args:
        policy: the chunk policy to score.
        skill_name: ``"pick"``, ``"place"`` or ``"navigate_to"``.
        seeds: held-out scene seeds, one episode each.
        scene: the scene id.
        expert: also run the scripted expert on the same cases.
        paraphrases: also run the learned skill with a paraphrased instruction.
        execution: chunk execution settings of the learned skill.
        max_steps: overrides the learned skill's step budget (the expert keeps its own).
        on_outcome: called after every skill call (progress displays).
        carry: ``navigate_to`` only: drives holding an object (:func:`setup_case`).
        wander: ``navigate_to`` only: drives from where the base wandered off to (:func:`setup_case`).

    Returns:
        ``skill``, ``scene``, ``episodes`` (seeds with a valid setup), ``success_rate``,
        ``expert_success_rate`` and ``paraphrase_success_rate`` (``None`` when not run),
        ``relative_to_expert``, ``latency_ms_p50``/``_p90``, ``chunks``, ``setup_failures``
        (seeds), ``errors`` (always empty here) and ``outcomes`` (one dict per call).
    """
    runner = SeedRunner(
        policy, skill_name, scene, expert, paraphrases, execution, max_steps, carry=carry, wander=wander
    )
    outcomes: list[Outcome] = []
    failed_setups: list[int] = []
    try:
        for seed in seeds:
            done = runner.run(seed, on_outcome)
            if done is None:
                failed_setups.append(seed)
            else:
                outcomes += done
    finally:
        runner.close()
    return report(skill_name, scene, outcomes, failed_setups, [])


class SeedRunner:
    """One simulator and the learned and scripted skill; :meth:`run` plays every call of one seed."""

    def __init__(
        self,
        policy: ChunkPolicy,
        skill_name: str,
        scene: str,
        expert: bool,
        paraphrases: bool,
        execution: ExecutionConfig | None,
        max_steps: int | None,
        *,
        carry: bool = False,
        wander: bool = False,
    ) -> None:
        if skill_name not in LEARNED_SKILLS:
            raise ValueError(f"unknown learned skill {skill_name!r}; known: {', '.join(LEARNED_SKILLS)}")
        self.skill_name, self.max_steps = skill_name, max_steps
        self.carry, self.wander = carry, wander
        learned: LearnedSkill = LEARNED_SKILLS[skill_name](policy, execution=execution)
        self.runs: list[tuple[str, Any]] = [("learned", learned)]
        self.runs += [("expert", SKILLS.get(skill_name)())] if expert else []
        self.runs += [("paraphrase", learned)] if paraphrases else []
        self.env = SCENES.get(scene)()

    def run(self, seed: int, on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome] | None:
        """The seed's outcomes (learned, expert, paraphrase), or ``None`` if its scripted setup failed."""
        outcomes = []
        for runner, skill in self.runs:
            setup = setup_case(self.env, self.skill_name, seed, carry=self.carry, wander=self.wander)
            if setup is None:
                return None
            case, start = setup
            text = case.paraphrase if runner == "paraphrase" else case.instruction
            if runner == "expert":  # the scripted expert reads no pixels
                with _blind(self.env):
                    outcomes.append(run_case(self.env, skill, case, start, text, runner))
            else:
                outcomes.append(run_case(self.env, skill, case, start, text, runner, self.max_steps))
            if on_outcome is not None:
                on_outcome(outcomes[-1])
        return outcomes

    def close(self) -> None:
        """Disconnect the simulator."""
        self.env.close()


def report(
    skill_name: str, scene: str, outcomes: list[Outcome], failed_setups: list[int], errors: list[str]
) -> dict[str, Any]:
    """The evaluation report (see :func:`evaluate_skill`)."""
    return {
        "skill": skill_name,
        "scene": scene,
        **summarize(outcomes),
        "setup_failures": sorted(failed_setups),
        "errors": errors,
    }


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    """Rates per runner, latency percentiles over every learned chunk, and the outcomes as dicts."""

    def rate(runner: str) -> float | None:
        mine = [o.success for o in outcomes if o.runner == runner]
        return float(np.mean(mine)) if mine else None

    latencies = [ms for o in outcomes if o.runner != "expert" for ms in o.latencies_ms]
    success, expert = rate("learned"), rate("expert")
    return {
        "episodes": sum(o.runner == "learned" for o in outcomes),
        "success_rate": success,
        "expert_success_rate": expert,
        "paraphrase_success_rate": rate("paraphrase"),
        "relative_to_expert": success / expert if success is not None and expert else None,
        "latency_ms_p50": float(np.percentile(latencies, 50)) if latencies else None,
        "latency_ms_p90": float(np.percentile(latencies, 90)) if latencies else None,
        "chunks": len(latencies),
        "outcomes": [asdict(o) for o in outcomes],
    }


def _scripted(env: Any, skill_name: str, args: dict[str, str]) -> bool:
    scene = env.unwrapped.describe()
    with _blind(env):
        return SKILLS.get(skill_name)().run(env, args, scene=scene).ok


def _blind(env: Any) -> AbstractContextManager[None]:
    """No camera rendering for scripted runs (they read no pixels), where the scene offers it."""
    pause = getattr(env.unwrapped, "cameras_paused", None)
    return pause() if pause is not None else nullcontext()


__all__ = [
    "PARAPHRASES",
    "Outcome",
    "SeedRunner",
    "SkillCase",
    "evaluate_skill",
    "offset_base",
    "wander_base",
    "pick_draw",
    "place_draw",
    "report",
    "run_case",
    "setup_case",
    "summarize",
]
