"""``LearnedSkill``: a skill whose actions come from a :class:`~skills.vla.protocol.ChunkPolicy`.

Each learned class shares its scripted twin's interface (registry name, ``Args``, preconditions,
effects, instruction template, action keys, step budget; :data:`TWIN_DECLARATIONS`), so a plan made
for the scripted skills runs unchanged with learned ones. They are not put in ``SKILLS`` (the
scripted twins own those names); :func:`skills.vla.catalog.learned_skills` builds them for a scene.

How a call runs, at the 10 Hz control rate (one ``env.step`` per step):

- *Acting* uses only the observation dict the policy reads (cameras, proprioception) and the
  language instruction; never the privileged env API, except what a real robot knows about itself
  and its map: the arm's own commanded setpoint, which position targets are anchored to
  (:mod:`skills.learned.arm`), the arm mount's pose, the gripper's object detection
  (:attr:`skills.learned.pick.LearnedPick.keep_grasp`) and the map's place rectangles
  (:attr:`~skills.learned.pick.LearnedPick.on_place`, :attr:`~skills.learned.place.LearnedPlace.free_spot`).
  Object poses are never read. The instruction is the subgoal's (``"pick up the red mug"``) or,
  when none is given, the template filled with the objects' natural names from the scene
  description. Chunks are turned into per-step actions by a
  :class:`~skills.vla.ensemble.ChunkExecutor` (ACT temporal ensembling by default).
- *Deciding when it is done* is a :class:`~skills.learned.detector.SuccessDetector` (today's reads
  the simulator's oracle facts) and the :class:`~skills.learned.detector.Completion` rule; otherwise
  the step budget ends the call with ``aborted``, and the agent replans like after any failure.
- *Scripted reflexes*, each a small part with its own config, live beside the skill that uses
  them: the lost-object and missed-grasp checks (:mod:`skills.learned.checks`), the retraction after
  a missed grasp (:mod:`skills.learned.retract`), the place's release guard
  (:mod:`skills.learned.release`) and the drive's stall recovery (:mod:`skills.learned.stall`).

This class does the shared part: :meth:`Skill.run`'s template (:meth:`_reset`, :meth:`_act`),
inference and its timing, the detector's bookkeeping and position targets. A subclass sets the
declarations (``twin=``), :attr:`default_done` (an instance of its own config class) and the row
hooks (:meth:`_to_action`, :meth:`_motion`), and adds its reflexes through :meth:`_check_step`
and :meth:`_applied`.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel

from agentrt.core.registry import Registry
from agentrt.core.results import SkillResult
from agentrt.core.scene import SceneDescription
from agentrt.core.symbolic import bindings, parse_literal
from skills.base import Action, Done, Skill, StepHook
from skills.learned.detector import Completion, DetectorConfig, FactReader, FactsDetector, SuccessDetector
from skills.vla.config import ARM_POS
from skills.vla.ensemble import ChunkExecutor, ExecutionConfig
from skills.vla.protocol import ChunkPolicy, GraspAware, PositionTargeting

LEARNED_SKILLS: Registry = Registry("learned_skill")
"""Learned skill classes by name; each shares its name with a scripted twin in ``SKILLS``. A module
registers its class (``LEARNED_SKILLS.add(LearnedPick.name, LearnedPick)``) and is advertised under
the entry-point group ``agentrt.learned_skills``; the contract tests run over every entry."""
TWIN_DECLARATIONS = ("name", "Args", "preconditions", "effects", "instruction", "action_keys", "max_steps")
"""What a learned skill takes from its scripted twin, so a plan for one runs the other."""


class LearnedSkill(Skill):
    """A skill whose actions come from a :class:`ChunkPolicy` (subclasses set the declarations).

    Args:
        policy: the chunk policy; its ``action_keys`` must equal the skill's.
        execution: how chunks become per-step actions (default: ACT temporal ensembling).
        done: the skill's detector and reflex settings, an instance of the class of its
            :attr:`default_done` (default: that).
        detector: whether the skill's effects hold (default: :class:`FactsDetector`, the oracle facts).
        checkpoint: where the policy came from (recorded in provenance and reports).
    """

    default_done: ClassVar[DetectorConfig] = DetectorConfig()
    """The settings a call runs with unless given; its class is the skill's config class."""
    accepts_position_targets: ClassVar[bool] = False
    """Whether the skill can run a policy with arm position targets (it has a :meth:`_setpoint`)."""

    def __init_subclass__(cls, twin: type[Skill] | None = None, **kwargs: Any) -> None:
        """``class LearnedPick(..., twin=ScriptedPick)`` copies the twin's :data:`TWIN_DECLARATIONS`."""
        if twin is not None:
            for attr in TWIN_DECLARATIONS:
                setattr(cls, attr, getattr(twin, attr))
        super().__init_subclass__(**kwargs)

    def __init__(
        self,
        policy: ChunkPolicy,
        *,
        execution: ExecutionConfig | None = None,
        done: DetectorConfig | None = None,
        detector: SuccessDetector | None = None,
        checkpoint: str | None = None,
    ) -> None:
        if not isinstance(policy, ChunkPolicy):
            raise TypeError(f"{type(policy).__name__} does not satisfy ChunkPolicy")
        if tuple(policy.action_keys) != tuple(self.action_keys):
            raise ValueError(
                f"skill {self.name!r} needs a policy with action_keys {tuple(self.action_keys)}, "
                f"got {tuple(policy.action_keys)}"
            )
        targeting = isinstance(policy, PositionTargeting)
        self.position_targets = targeting and bool(policy.position_targets)
        """Whether the arm rows are positions relative to the hand (``VLAConfig.position_targets``)."""
        if self.position_targets and not self.accepts_position_targets:
            raise ValueError(f"skill {self.name!r} cannot run a policy whose rows are arm position targets")
        self.goal_frame = self.position_targets and bool(policy.goal_frame)
        """Whether those positions are relative to the policy's goal in a grasp (``policy.last_goal``
        after each chunk, ``VLAConfig.goal_frame``) rather than to the setpoint."""
        self.policy = policy
        self.execution = execution or ExecutionConfig()
        self.done = self.default_done if done is None else done
        if not isinstance(self.done, type(self.default_done)):
            raise TypeError(
                f"skill {self.name!r} takes a {type(self.default_done).__name__}, got {type(done).__name__}"
            )
        self.detector: SuccessDetector = FactsDetector() if detector is None else detector
        self.completion = Completion(self.done)
        self.checkpoint = checkpoint
        self.executor = ChunkExecutor(self.execution, int(policy.chunk_size))
        self.chunk_latencies_ms: list[float] = []
        """Wall time of every ``predict_chunk`` call of the last run (ms)."""
        self._given_instruction: str | None = None

    # ---------------------------------------------------------------- bookkeeping
    def run(
        self,
        env: Any,
        args: Mapping[str, Any] | BaseModel,
        *,
        scene: SceneDescription,
        instruction: str | None = None,
        max_steps: int | None = None,
        on_step: StepHook | None = None,
    ) -> SkillResult:
        """:meth:`Skill.run`, plus ``metrics``: ``chunks`` predicted and ``latency_ms_p50``/``_max``."""
        self._given_instruction = instruction
        self.chunk_latencies_ms = []
        result = super().run(
            env, args, scene=scene, instruction=instruction, max_steps=max_steps, on_step=on_step
        )
        lat = self.chunk_latencies_ms
        result.metrics["chunks"] = float(len(lat))
        if lat:
            result.metrics["latency_ms_p50"] = float(np.median(lat))
            result.metrics["latency_ms_max"] = float(np.max(lat))
        return result

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        self.env = env.unwrapped
        values = {k: str(v) for k, v in args.model_dump().items()}
        self.text = self._given_instruction or self.instruction.format(
            **{k: scene.natural_name(v) for k, v in values.items()}
        )
        literals = [parse_literal(p) for p in self.preconditions]
        found = bindings(literals, scene.facts(), {f"?{k}": v for k, v in values.items()})
        self.binding = found[0] if found else {f"?{k}": v for k, v in values.items()}
        self.effect_literals = [parse_literal(e) for e in self.effects]
        self.holding_something = scene.robot.holding is not None
        self.policy.reset()
        if isinstance(self.policy, GraspAware):  # VLAPolicy: a depth goal only for a grasp
            self.policy.grasping = not self.holding_something
        self.executor.reset()
        self.step = 0
        self.facts = FactReader(self.env)
        """The simulator's facts this call (privileged), shared by the detector and the checks."""
        self.detector.reset(self.effect_literals, self.binding, self.facts)
        self.completion.reset()
        self.last_motion = 0.0  # nothing commanded yet: already-true effects end the call at once

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        # check the effects (and the subclass's early failures) every check_every steps
        if self.step % self.done.check_every == 0:
            self.completion.observe(self.detector.holds(obs, self.step), self.step)
            ended = self._check_step()
            if ended is not None:
                return ended
        if self.completion.ended(self.step, self.last_motion):
            return Done(True)
        # a new chunk when the executor needs one, timed
        if self.executor.needs_chunk(self.step):
            missing = [k for k in self.policy.obs_keys if k not in obs]
            if missing:
                raise ValueError(f"the policy reads observation keys the scene lacks: {missing}")
            start = time.perf_counter()
            chunk = self.policy.predict_chunk(obs, self.text)
            self.chunk_latencies_ms.append(1000.0 * (time.perf_counter() - start))
            self.executor.add(self._anchor(chunk), self.step)
        # this step's row
        row = self._row(self.executor.action(self.step))
        self._applied(row)
        self.step += 1
        self.last_motion = self._motion(row)
        return self._to_action(row)

    def _anchor(self, chunk: np.ndarray) -> np.ndarray:
        """A predicted chunk as the executor ensembles it: position targets plus the setpoint, or, in
        a grasp by a ``goal_frame`` policy, plus the goal the policy acted on, so the executor
        averages positions in the base frame even where that goal changed between chunks."""
        if not self.position_targets:
            return chunk
        out = np.array(chunk, dtype=np.float32, copy=True)
        if self.goal_frame and not self.holding_something:  # a grasp (VLAConfig.goal_frame)
            goal = self.policy.last_goal  # type: ignore[attr-defined]  # a PositionTargeting policy
            if goal is None:
                raise RuntimeError(f"skill {self.name!r}: a goal-frame policy gave a chunk without its goal")
            out[:, ARM_POS] += np.asarray(goal, np.float32)
        else:
            out[:, ARM_POS] += self._setpoint()
        return out

    def _row(self, row: np.ndarray) -> np.ndarray:
        """An ensembled row as the row to apply: a position target becomes the step to it."""
        if not self.position_targets:
            return row
        out = np.array(row, dtype=np.float32, copy=True)
        out[ARM_POS] -= self._setpoint()
        return out

    # ------------------------------------------------------------ for subclasses
    def _check_step(self) -> Action | Done | None:
        """At a check step, after the detector: an early end (a failure, or a reflex's first action);
        ``None`` to go on. None here."""
        return None

    def _applied(self, row: np.ndarray) -> None:
        """See the row applied at :attr:`step` (before it is counted). Nothing here."""

    def _closes(self, row: np.ndarray) -> bool:
        """Whether ``row`` commands the gripper closed (arm skills; never for others)."""
        return False

    def _setpoint(self) -> np.ndarray:
        """The commanded end-effector position ``(3,)`` (m, base frame) that position targets are
        relative to; only skills with :attr:`accepts_position_targets` have one."""
        raise NotImplementedError(f"skill {self.name!r} has no arm setpoint")

    @abstractmethod
    def _to_action(self, row: np.ndarray) -> Action:
        """One policy row (env units) as an ``env.step`` action dict."""

    @abstractmethod
    def _motion(self, row: np.ndarray) -> float:
        """How much ``row`` moves the robot (compared with :attr:`DetectorConfig.rest_tol`)."""


__all__ = ["TWIN_DECLARATIONS", "LearnedSkill"]
