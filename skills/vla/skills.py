"""Learned skills: ``pick``, ``place`` and ``navigate_to`` driven by a :class:`ChunkPolicy`.

Each class shares its scripted twin's interface (registry name, ``Args``, preconditions,
effects, instruction template, action keys, step budget), so a plan made for the scripted
skills runs unchanged with learned ones. They are not put in ``SKILLS`` (the scripted twins
own those names); :func:`skills.vla.catalog.learned_skills` builds them for a scene.

How a call runs, at the 10 Hz control rate (one ``env.step`` per step):

- *Acting* uses only the observation dict the policy reads (cameras, proprioception) and
  the language instruction; never the privileged env API, except what a real robot knows about
  itself and its map: the arm's own commanded setpoint, which position targets are anchored to
  (:class:`_ArmRows`), the arm mount's pose, the gripper's object detection
  (:attr:`LearnedPick.keep_grasp`) and the map's place rectangles (:attr:`LearnedPick.on_place`,
  :attr:`LearnedPlace.free_spot`). Object poses are never read. The instruction
  is the subgoal's (``"pick up the red mug"``) or, when none is given, the template filled
  with the objects' natural names from the scene description. Chunks are turned into per-step actions by a
  :class:`~skills.vla.ensemble.ChunkExecutor` (ACT temporal ensembling by default).
- *Deciding when it is done* is a success detector, not learned: every ``check_every``
  steps the skill's own ground effects (``holding(mug_0)``, ``not in(mug_0, counter)``, ...)
  are checked on the simulator's oracle facts (``env.unwrapped.facts()``). Once they have
  held for ``min_hold_steps`` steps the skill ends successfully as soon as the policy's
  commanded motion is below ``rest_tol`` (it has finished its retreat) or the effects have
  held for ``max_hold_steps``. Otherwise the step budget ends the call with ``aborted``, and
  the agent replans like after any failure. The same facts give an early failure: ``pick`` fails
  once the object has been neither where it was nor in the hand for ``lost_steps`` steps
  (knocked off) or the gripper has been commanded closed for ``miss_steps`` steps without
  holding it (a missed grasp: the policies we trained never reopen after one, so the rest of
  the budget would be spent closed on nothing), ``place`` once the object is neither held
  nor in the receptacle (dropped elsewhere).
  A deployment without an oracle would swap this detector for a VLM or a learned terminate
  head; the policy itself never sees it.

``navigate_to`` policies command only the base; the arm is held still with the gripper
closed if the scene description says the robot holds something, else open. A drive whose base
has not moved (odometry, the ``state``'s ``base_x, base_y, base_yaw``) for ``stall_steps`` steps
short of the place backs up and turns, then restarts the policy (a scripted recovery, as a
navigation stack has; :meth:`LearnedNavigate._act`).
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agentrt.core.actions import (
    ARM_ACTION_DIM,
    ARM_KEY,
    BASE_ACTION_DIM,
    CONTROL_HZ,
    MAX_EE_STEP_RAD,
    drive_action,
)
from agentrt.core.results import SkillResult
from agentrt.core.scene import SceneDescription
from agentrt.core.symbolic import (
    Atom,
    Literal,
    bindings,
    format_atom,
    matches,
    parse_literal,
    substitute,
    variables,
)
from scenes.base import STATE_NAMES
from scenes.geometry import quat_matrix, wrap_angle
from skills.base import Action, Done, Skill, StepHook
from skills.scripted import ScriptedNavigate, ScriptedPick, ScriptedPlace
from skills.vla.config import ARM_POS
from skills.vla.ensemble import ChunkExecutor, ExecutionConfig
from skills.vla.free_space import FreeSpotConfig, RoomMap, room_map
from skills.vla.protocol import ChunkPolicy


class DoneConfig(BaseModel):
    """The success detector of a learned skill (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    check_every: int = Field(default=1, ge=1, description="steps between checks of the effects")
    min_hold_steps: int = Field(default=3, ge=0, description="steps the effects must hold before ending")
    max_hold_steps: int = Field(default=20, ge=0, description="end after the effects held this long anyway")
    rest_tol: float = Field(
        default=0.004, ge=0.0, description="commanded motion norm (per-step units) counted as at rest"
    )
    lost_steps: int = Field(
        default=10, ge=1, description="fail once none of the skill's `keep_any` literals held this long"
    )
    miss_steps: int = Field(
        default=0,
        ge=0,
        description="fail once the gripper has been commanded closed this long without the skill's "
        "`grasp_literal` holding (a missed grasp; 0: never)",
    )
    retract_on_miss: bool = Field(
        default=False,
        description="after a missed grasp, open the gripper, rise and bring the arm home before failing "
        "(a scripted reflex; arm skills only), so that a retry starts where the demonstrations start",
    )
    stall_steps: int = Field(
        default=0,
        ge=0,
        description="navigation: once the base (odometry) has stayed within 2 cm and 0.05 rad for this "
        "many steps with the effects unmet, back up and turn (a scripted recovery) and resume the "
        "policy (0: never)",
    )
    max_recoveries: int = Field(
        default=2, ge=0, description="most stall recoveries (navigation) or re-homings (place) in one call"
    )
    release_over_m: float | None = Field(
        default=None,
        ge=0.0,
        description="place: keep a held object while its centre (world xy: where the scene description "
        "put it when the call started, carried with the measured hand) is not over the receptacle's "
        "rectangle (`Place.extent`) grown by this margin (m); after such a held release, "
        "bring the arm home still holding it and restart the policy there (a scripted reflex), at most "
        "`max_recoveries` times, then fail (None: let go wherever the policy opens)",
    )


RETRACT_RISE_M = 0.1
"""How far (m) the hand rises straight up after a missed grasp before it goes home."""
MAX_GRIP_OFFSET_M = 0.2
"""A held object's centre farther than this (m) from the hand is taken to be a wrong description."""
STALL_M, STALL_RAD = 0.02, 0.05
"""A drive has stalled while the base stays this close (m, rad) to where it is (``stall_steps``)."""
RECOVERY_BACK_M, RECOVERY_SPEED_MPS = 0.3, 0.3
"""The stall recovery first backs up this far (m) at this speed (m/s) ..."""
RECOVERY_TURN_RAD, RECOVERY_TURN_RPS = 0.6, 0.6
"""... then turns this far (rad) at this rate (rad/s), alternately left and right."""
BASE_STATE = slice(STATE_NAMES.index("base_x"), STATE_NAMES.index("base_yaw") + 1)
"""Where the base odometry ``(x, y, yaw)`` (m, rad, world) sits in the ``state`` observation."""

TWIN_DECLARATIONS = ("name", "Args", "preconditions", "effects", "instruction", "action_keys", "max_steps")
"""What a learned skill takes from its scripted twin, so a plan for one runs the other."""


class LearnedSkill(Skill):
    """A skill whose actions come from a :class:`ChunkPolicy` (subclasses set the declarations).

    Args:
        policy: the chunk policy; its ``action_keys`` must equal the skill's.
        execution: how chunks become per-step actions (default: ACT temporal ensembling).
        done: the success detector's settings (default: the class's :attr:`default_done`).
        checkpoint: where the policy came from (recorded in provenance and reports).
    """

    default_done: ClassVar[DoneConfig] = DoneConfig()
    keep_any: ClassVar[tuple[str, ...]] = ()
    """Literals (over the arguments and precondition variables) of which one must hold while the
    skill runs, e.g. the object is where it was or in the hand; empty: no early failure."""
    accepts_position_targets: ClassVar[bool] = False
    """Whether the skill can run a policy with arm position targets (it has a :meth:`_setpoint`)."""
    can_retract: ClassVar[bool] = False
    """Whether the skill has an arm to retract after a missed grasp (:attr:`DoneConfig.retract_on_miss`)."""
    grasp_literal: ClassVar[str | None] = None
    """What a closed gripper should be holding (``holding(?object)``), for :attr:`DoneConfig.miss_steps`."""

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
        done: DoneConfig | None = None,
        checkpoint: str | None = None,
    ) -> None:
        if not isinstance(policy, ChunkPolicy):
            raise TypeError(f"{type(policy).__name__} does not satisfy ChunkPolicy")
        if tuple(policy.action_keys) != tuple(self.action_keys):
            raise ValueError(
                f"skill {self.name!r} needs a policy with action_keys {tuple(self.action_keys)}, "
                f"got {tuple(policy.action_keys)}"
            )
        self.position_targets = bool(getattr(policy, "position_targets", False))
        """Whether the arm rows are positions relative to the hand (``VLAConfig.position_targets``)."""
        if self.position_targets and not self.accepts_position_targets:
            raise ValueError(f"skill {self.name!r} cannot run a policy whose rows are arm position targets")
        self.goal_frame = self.position_targets and bool(getattr(policy, "goal_frame", False))
        """Whether those positions are relative to the policy's goal in a grasp (``policy.last_goal``
        after each chunk, ``VLAConfig.goal_frame``) rather than to the setpoint."""
        self.policy = policy
        self.execution = execution or ExecutionConfig()
        self.done = done or self.default_done
        if self.done.retract_on_miss and not self.can_retract:
            raise ValueError(f"skill {self.name!r} has no arm to retract (DoneConfig.retract_on_miss)")
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
        if hasattr(self.policy, "grasping"):  # VLAPolicy: a depth goal only for a grasp
            self.policy.grasping = not self.holding_something
        self.executor.reset()
        self.step = 0
        self.held_since: int | None = None
        self.keep = [parse_literal(k) for k in self.keep_any]
        self.lost_since: int | None = None
        self.grasp = parse_literal(self.grasp_literal) if self.grasp_literal else None
        self.closed_since: int | None = None
        self.last_motion = 0.0  # nothing commanded yet: already-true effects end the call at once
        self.retracting: tuple[Any, str] | None = None
        """While retracting after a missed grasp: the motion (an ``ArmSequence``) and the failure."""

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        if self.retracting is not None:
            return self._retract_step()
        if self.step % self.done.check_every == 0:
            facts = self.env.facts()
            if effects_hold(self.effect_literals, self.binding, facts):
                self.held_since = self.step if self.held_since is None else self.held_since
            else:
                self.held_since = None
            if self.keep and not any(effects_hold([k], self.binding, facts) for k in self.keep):
                self.lost_since = self.step if self.lost_since is None else self.lost_since
                if self.step - self.lost_since >= self.done.lost_steps:
                    ground = ", ".join(format_atom(substitute(k.atom, self.binding)) for k in self.keep)
                    return Done(False, f"lost track: none of {ground} holds")
            else:
                self.lost_since = None
            if self.closed_since is not None and self.done.miss_steps and self.grasp is not None:
                if effects_hold([self.grasp], self.binding, facts):
                    self.closed_since = None
                elif self.step - self.closed_since >= self.done.miss_steps:
                    ground = format_atom(substitute(self.grasp.atom, self.binding))
                    reason = (f"grasp missed: the gripper closed {self.done.miss_steps} steps "
                              f"ago and {ground} does not hold")  # fmt: skip
                    if not self.done.retract_on_miss:
                        return Done(False, reason)
                    self.retracting = (self._retraction(), reason)
                    return self._retract_step()
        if self.held_since is not None:
            held = self.step - self.held_since
            if held >= self.done.min_hold_steps and (
                self.last_motion <= self.done.rest_tol or held >= self.done.max_hold_steps
            ):
                return Done(True)
        if self.executor.needs_chunk(self.step):
            missing = [k for k in self.policy.obs_keys if k not in obs]
            if missing:
                raise ValueError(f"the policy reads observation keys the scene lacks: {missing}")
            start = time.perf_counter()
            chunk = self.policy.predict_chunk(obs, self.text)
            self.chunk_latencies_ms.append(1000.0 * (time.perf_counter() - start))
            self.executor.add(self._anchor(chunk), self.step)
        row = self._row(self.executor.action(self.step))
        if not self._closes(row):
            self.closed_since = None
        elif self.closed_since is None:
            self.closed_since = self.step
        self.step += 1
        self.last_motion = self._motion(row)
        return self._to_action(row)

    def _closes(self, row: np.ndarray) -> bool:
        """Whether ``row`` commands the gripper closed (arm skills; never for others)."""
        return False

    def _anchor(self, chunk: np.ndarray) -> np.ndarray:
        """A predicted chunk as the executor ensembles it: position targets plus the setpoint, or, in
        a grasp by a ``goal_frame`` policy, plus the goal the policy acted on, so the executor
        averages positions in the base frame even where that goal changed between chunks."""
        if not self.position_targets:
            return chunk
        out = np.array(chunk, dtype=np.float32, copy=True)
        if self.goal_frame and not self.holding_something:  # a grasp (VLAConfig.goal_frame)
            goal = getattr(self.policy, "last_goal", None)
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

    def _retract_step(self) -> Action | Done:
        """The next step of the retraction, or the missed grasp's failure once it is over."""
        assert self.retracting is not None
        motion, reason = self.retracting
        action = motion.act(self.env)
        if action is None:
            return Done(False, f"{reason}; the arm retracted home")
        if motion.timed_out:
            return Done(False, f"{reason}; the arm could not retract home")
        return self._to_action(np.asarray(action, np.float32))

    # ------------------------------------------------------------ for subclasses
    def _retraction(self) -> Any:
        """The motion (``skills.scripted.motion.ArmSequence``) that opens the gripper and brings the
        arm home after a missed grasp; only skills that :attr:`can_retract` have one."""
        raise NotImplementedError(f"skill {self.name!r} cannot retract an arm")

    def _setpoint(self) -> np.ndarray:
        """The commanded end-effector position ``(3,)`` (m, base frame) that position targets are
        relative to; only skills with :attr:`accepts_position_targets` have one."""
        raise NotImplementedError(f"skill {self.name!r} has no arm setpoint")

    @abstractmethod
    def _to_action(self, row: np.ndarray) -> Action:
        """One policy row (env units) as an ``env.step`` action dict."""

    @abstractmethod
    def _motion(self, row: np.ndarray) -> float:
        """How much ``row`` moves the robot (compared with :attr:`DoneConfig.rest_tol`)."""


class _ArmRows:
    """Mixin for arm skills: rows are 7-D arm actions (dx, dy, dz m; droll, dpitch, dyaw rad; gripper).

    A policy with position targets (``VLAConfig.position_targets``) predicts each row's xyz as where
    the arm's commanded end effector should be after that step, relative to where it is commanded
    when the chunk is predicted (training sums the demonstration's steps, which move exactly that
    setpoint). The chunk is moved into the base frame (plus the setpoint,
    :meth:`scenes.base.AgentEnv.ee_target`, the arm controller's own state, not a fact about the
    world) before ensembling, so the executor averages positions, and each applied row is the
    step from the setpoint to the ensembled position (the arm clips each step to its largest).
    Anchoring on the measured hand instead fails during fast moves: the setpoint runs ahead of
    the hand, so steps measured from the hand carry it past the target.
    """

    accepts_position_targets = True
    can_retract = True
    env: Any

    def _setpoint(self) -> np.ndarray:
        """The arm's commanded end-effector position ``(3,)`` (m, base frame)."""
        return np.asarray(self.env.ee_target()[0], np.float32)

    def _setpoint_yaw(self) -> float:
        """The yaw (rad, base frame) of the commanded top-down hand: its x axis's heading."""
        rot = self.env.ee_target()[1]
        return float(np.arctan2(rot[1, 0], rot[0, 0]))

    def _retraction(self, gripper: float = -1.0) -> Any:
        """Command the gripper (``-1`` open, ``+1`` closed) where the hand is (the setpoint brought
        back to it; 3 steps), rise :data:`RETRACT_RISE_M` (at least to the home height), then go home
        at that height and down to the home pose, as the scripted pick's lift does. Steers the arm
        controller's setpoint like the scripted experts (a reflex, not the policy)."""
        from skills.scripted.motion import MAX_TRAVEL_Z_M, ArmGoal, ArmSequence

        hand = np.asarray(self.env.ee_pose()[0], np.float64)  # the setpoint may press into something
        yaw = self._setpoint_yaw()
        home = np.asarray(self.env.robot.arm.home_pos, np.float64)
        high = min(max(float(hand[2]) + RETRACT_RISE_M, float(home[2])), MAX_TRAVEL_Z_M)
        return ArmSequence(
            [
                ArmGoal(hand, yaw, gripper, tol=0.02, settle=3, transit=True),
                ArmGoal(np.array([hand[0], hand[1], high]), yaw, gripper, tol=0.03, transit=True),
                ArmGoal(np.array([home[0], home[1], high]), 0.0, gripper, tol=0.03, transit=True),
                ArmGoal(home, 0.0, gripper, tol=0.02, transit=True),
            ],
            timeout_per_goal=30,
        )

    def _to_action(self, row: np.ndarray) -> Action:
        if row.shape != (ARM_ACTION_DIM,):
            raise ValueError(f"arm policy rows must have {ARM_ACTION_DIM} values, got {row.shape}")
        return {ARM_KEY: row.astype(np.float32)}

    def _motion(self, row: np.ndarray) -> float:
        """Translation per step (m) plus rotation per step (rad) scaled by 0.1 m/rad."""
        return float(np.linalg.norm(row[:3]) + 0.1 * np.linalg.norm(row[3:6]))

    def _closes(self, row: np.ndarray) -> bool:
        return bool(row[ARM_ACTION_DIM - 1] > 0)


class LearnedPick(_ArmRows, LearnedSkill, twin=ScriptedPick):
    """Pick up an object (learned policy from the cameras and the instruction).

    Same arguments, preconditions and effects as the scripted ``pick``: the robot must be
    at the place where the object lies with an empty gripper. Ends when the object has been
    held for a moment and the arm has come to rest; fails when the gripper has closed for
    15 steps (1.5 s) without holding the object (a missed grasp, as the scripted twin fails
    after 10 closing steps), and (aborted) at the step budget. After a missed grasp it first
    opens the gripper and brings the arm home (:attr:`DoneConfig.retract_on_miss`): a retry then
    starts from the pose every demonstration starts from, not closed beside the object.
    """

    default_done = DoneConfig(miss_steps=15, retract_on_miss=True)
    keep_any = ("in(?object, ?from)", "holding(?object)")
    grasp_literal = "holding(?object)"
    keep_grasp: ClassVar[bool] = True
    """Once the gripper reports an object between its fingers (``env.held_object()``, the gripper's
    own object detection, as a Robotiq's ``gOBJ`` status), keep it commanded closed for the rest of
    the call: a pick never lets go of what it grasped. The chunks' rows past the end of a
    demonstration are not trained (``chunk_valid``), and temporal ensembling mixes them in as the
    demonstration ends: the gripper command drifted from +1 to -0.2 while the arm came home and a
    lifted mug fell onto the base (held-out seed 100030). A missed or wrong grasp still ends in
    :attr:`DoneConfig.retract_on_miss`, which opens the hand."""

    on_place: ClassVar[tuple[float, float] | None] = (0.05, 0.45)
    """Hand the policy the place the object lies in (``?from``: the map's rectangle where an object
    counts as in it, ``Place.extent``) as ``grasp_within``: a depth goal must lie over that rectangle
    grown by the first value (m) and between 5 cm under its surface and the second value (m) above
    it. The pointer's pixel sometimes falls on the arm as the hand nears the object, and the goal
    found there, 50 cm off the dish rack beside the robot's shoulder, sent the hand back to close
    on air (held-out seed 100020). ``None``: any goal is kept."""

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        super()._reset(env, args, scene)
        origin = self.binding.get("?from")
        place = getattr(self.env, "places", {}).get(origin) if origin else None
        if self.on_place is None or place is None or not hasattr(self.policy, "grasp_within"):
            return
        margin, above = self.on_place
        extent, arm = place.extent, self.env.robot.arm

        def within(grasp_base: np.ndarray) -> bool:
            world, _ = arm.to_world(np.asarray(grasp_base, np.float64), np.eye(3))
            height = float(world[2]) - extent.support_z
            return extent.contains_xy(world[:2], margin) and -0.05 <= height <= above

        self.policy.grasp_within = within

    def _row(self, row: np.ndarray) -> np.ndarray:
        """The applied row; with a policy that measured the object's long axis (``grasp_yaw``,
        ``DepthGoal.align_yaw``), its yaw step turns the hand toward closing across that axis while
        the gripper is open (the setpoint's yaw to the axis, mod pi, one clipped step at a time).
        While the gripper holds an object its command is closed (:attr:`keep_grasp`)."""
        out = np.array(super()._row(row), dtype=np.float32, copy=True)
        if self.keep_grasp and self.env.held_object() is not None:
            out[ARM_ACTION_DIM - 1] = 1.0
            return out
        target = getattr(self.policy, "grasp_yaw", None)
        if target is None or self.holding_something or self._closes(out):
            return out
        error = (target - self._setpoint_yaw() + np.pi / 2) % np.pi - np.pi / 2
        out[5] = np.clip(error, -MAX_EE_STEP_RAD, MAX_EE_STEP_RAD)
        return out


class LearnedPlace(_ArmRows, LearnedSkill, twin=ScriptedPlace):
    """Put the held object in or on a receptacle (learned policy from the cameras and the instruction).

    Same arguments, preconditions and effects as the scripted ``place``. Ends when the
    object lies in the receptacle with the gripper open and the arm has come to rest.

    It lets go only over the receptacle (:attr:`DoneConfig.release_over_m`): an opening command while
    the held object is elsewhere keeps it, brings the arm home with it and restarts the policy
    there. In learned tidying the place starts wherever the learned pick came to rest, not at the
    home pose every demonstration starts from, and from such a start the policy sometimes opened at
    its very first step, 5-20 cm in front of the dish rack or the shelf, dropping the object on the
    floor where no skill can reach it (held-out seeds 100016, 100035, 100003, 100099). The object's
    centre, not the hand's, decides: a mug held 6 cm in front of the hand was let go with the hand
    over the rack and the mug over its front rim (100003).
    """

    default_done = DoneConfig(release_over_m=0.0)
    keep_any = ("holding(?object)", "in(?object, ?receptacle)")
    free_spot: ClassVar[FreeSpotConfig | None] = FreeSpotConfig()
    """Measure the room in the receptacle from the head depth image and the map's rectangle
    (:mod:`skills.vla.free_space`) and let the policy's goal move off anything lying there;
    ``None``: the goal head's guess alone. Needs a policy with ``place_spot`` and a depth calibration."""

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        super()._reset(env, args, scene)
        self.room_measured = False
        self.room: RoomMap | None = None
        """The receptacle's measured room this call (world frame), ``None`` if none (a diagnostic)."""
        self.release_held = False
        """Whether the last row's opening command was held back (the object was not over the receptacle)."""
        self.rehoming: Any = None
        """While bringing the arm home after a held release: the motion (an ``ArmSequence``)."""
        self.rehomes = 0
        self.grip_offset = self._grip_offset(scene)

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        if self.release_held:
            self.release_held = False
            self.rehomes += 1
            if self.rehomes > self.done.max_recoveries:
                receptacle = self.binding.get("?receptacle")
                return Done(
                    False,
                    f"the policy opened the gripper away from {receptacle} {self.rehomes} times; "
                    "the object is still held",
                )
            self.rehoming = self._retraction(gripper=1.0)
        if self.rehoming is not None:
            action = self.rehoming.act(self.env)
            if action is not None and not self.rehoming.timed_out:
                self.step += 1
                return self._to_action(np.asarray(action, np.float32))
            self.rehoming = None  # home (or as near as it got): the policy starts afresh from there
            self.policy.reset()
            self.executor.reset()
            self.room_measured = False
        if not self.room_measured:
            self.room_measured = True
            self._measure_room(obs)
        return super()._act(obs)

    def _grip_offset(self, scene: SceneDescription) -> np.ndarray:
        """Where the held object's centre is in the hand's frame ``(3,)`` (m): the scene description's
        position of it at the call's start, minus the measured hand; zeros if the description has no
        such object, or puts it more than :data:`MAX_GRIP_OFFSET_M` from the hand, and when the guard
        is off or the env has no arm to measure."""
        arm = getattr(getattr(self.env, "robot", None), "arm", None)
        if self.done.release_over_m is None or not hasattr(arm, "ee_world"):
            return np.zeros(3)
        try:
            centre = np.asarray(scene.object(self.binding.get("?object", "")).pose.position, np.float64)
        except KeyError:
            return np.zeros(3)
        hand, quat = arm.ee_world()
        offset = quat_matrix(quat).T @ (centre - np.asarray(hand, np.float64))
        return offset if float(np.linalg.norm(offset)) <= MAX_GRIP_OFFSET_M else np.zeros(3)

    def _row(self, row: np.ndarray) -> np.ndarray:
        """The applied row; an opening command while an object is held and its centre is not over the
        receptacle (:attr:`DoneConfig.release_over_m`) is held back (the gripper stays closed) and
        :attr:`release_held` set, so the next step starts the re-homing."""
        out = super()._row(row)
        margin = self.done.release_over_m
        if margin is None or self._closes(out) or self.env.held_object() is None:
            return out
        place = getattr(self.env, "places", {}).get(self.binding.get("?receptacle"))
        if place is None:
            return out
        hand, quat = self.env.robot.arm.ee_world()
        centre = np.asarray(hand, np.float64) + quat_matrix(quat) @ self.grip_offset
        if place.extent.contains_xy(centre[:2], margin):
            return out
        out = np.array(out, dtype=np.float32, copy=True)
        out[ARM_ACTION_DIM - 1] = 1.0
        self.release_held = True
        return out

    def _measure_room(self, obs: dict[str, np.ndarray]) -> None:
        """Before the first chunk: :func:`skills.vla.free_space.room_map` of the receptacle the call
        names, handed to the policy as a base-frame ``place_spot`` (the base stands still in a place)."""
        finder = getattr(getattr(self.policy, "config", None), "depth_goal", None)
        if self.free_spot is None or finder is None or not hasattr(self.policy, "place_spot"):
            return
        depth, receptacle = obs.get("head_depth"), self.binding.get("?receptacle")
        place = self.env.places.get(receptacle) if receptacle else None
        if depth is None or place is None:
            return
        arm = self.env.robot.arm
        mount_pos, mount_quat = arm.mount_pose()
        rot = quat_matrix(mount_quat)
        self.room = room_map(
            np.asarray(depth, np.float32), finder.camera, mount_pos, rot, place.region,
            arm.ee_world()[0], self.free_spot,
        )  # fmt: skip
        if self.room is None:
            return
        room, env, z = self.room, self.env, place.region.support_z

        def spot(xy_base: np.ndarray) -> np.ndarray | None:
            world, _ = arm.to_world(np.array([xy_base[0], xy_base[1], 0.0]), np.eye(3))
            found = room.spot_near(world[:2])
            return None if found is None else env.world_to_base(np.array([*found, z]))[:2]

        self.policy.place_spot = spot


class LearnedNavigate(LearnedSkill, twin=ScriptedNavigate):
    """Drive the mobile base to a place (learned policy from the head camera and the instruction).

    Same arguments, preconditions and effects as the scripted ``navigate_to``. The policy
    commands base velocities (vx, vy m/s; wz rad/s); the arm is held still. Ends once the
    robot is at the place's approach pose and the commanded velocity is near zero.
    """

    default_done = DoneConfig(min_hold_steps=0, max_hold_steps=40, rest_tol=0.05, stall_steps=30)
    """``robot_at`` holds within 20 cm of the approach pose; the drive goes on until the policy comes
    to rest there (or for 4 s): ending 0.5 s after arriving (``max_hold_steps=5``) left the shipped
    model's base 8.5 cm short where the pick and place demonstrations start, against 2.3 cm now
    (medians over the 22 held-out drives the removed experiment ``pick_after_learned_nav`` (docs/experiments.md) makes)."""

    def _reset(self, env: Any, args: BaseModel, scene: SceneDescription) -> None:
        super()._reset(env, args, scene)
        self.odometry: list[np.ndarray] = []
        self.recovery: list[np.ndarray] = []
        """Base commands of the stall recovery still to send (popped from the end)."""
        self.recoveries = 0

    def _act(self, obs: dict[str, np.ndarray]) -> Action | Done:
        """The policy's command, unless the base has stalled short of the place (see :meth:`_stalled`):
        then back up ``RECOVERY_BACK_M`` and turn ``RECOVERY_TURN_RAD`` (left on the first recovery,
        right on the second, ...), as a navigation stack's recovery behaviour does, and give the
        policy a fresh start from the new view."""
        if self.recovery:
            return self._to_action(self.recovery.pop())
        if self._stalled(obs):
            self.recoveries += 1
            self.odometry.clear()
            self.policy.reset()
            self.executor.reset()
            sign = 1.0 if self.recoveries % 2 else -1.0
            back = np.array([-RECOVERY_SPEED_MPS, 0.0, 0.0], np.float32)
            turn = np.array([0.0, 0.0, sign * RECOVERY_TURN_RPS], np.float32)
            n_back = round(RECOVERY_BACK_M / RECOVERY_SPEED_MPS * CONTROL_HZ)
            n_turn = round(RECOVERY_TURN_RAD / RECOVERY_TURN_RPS * CONTROL_HZ)
            self.recovery = [turn] * n_turn + [back] * n_back  # popped from the end: back first
            return self._to_action(self.recovery.pop())
        return super()._act(obs)

    def _stalled(self, obs: dict[str, np.ndarray]) -> bool:
        """Whether the base (odometry: the state's ``base_x, base_y, base_yaw``) has stayed within
        ``STALL_M`` and ``STALL_RAD`` over the last ``stall_steps`` steps, with the skill's effects
        unmet and recoveries left."""
        n = self.done.stall_steps
        state = obs.get("state")
        if not n or state is None or state.shape[-1] != len(STATE_NAMES):
            return False
        if self.recoveries >= self.done.max_recoveries:
            return False
        self.odometry.append(np.asarray(state[BASE_STATE], np.float64))
        if len(self.odometry) <= n or self.held_since is not None:
            return False
        self.odometry = self.odometry[-(n + 1) :]
        track = np.stack(self.odometry)
        moved = float(np.max(np.hypot(*(track[:, :2] - track[-1, :2]).T)))
        turned = float(np.max(np.abs(wrap_angle(track[:, 2] - track[-1, 2]))))
        return moved < STALL_M and turned < STALL_RAD

    def _to_action(self, row: np.ndarray) -> Action:
        if row.shape != (BASE_ACTION_DIM,):
            raise ValueError(f"base policy rows must have {BASE_ACTION_DIM} values, got {row.shape}")
        return drive_action(row, self.holding_something)

    def _motion(self, row: np.ndarray) -> float:
        """Linear speed (m/s) plus 0.3 m/rad times the yaw rate (rad/s)."""
        return float(np.hypot(row[0], row[1]) + 0.3 * abs(row[2]))


LEARNED_SKILLS: dict[str, type[LearnedSkill]] = {
    cls.name: cls for cls in (LearnedNavigate, LearnedPick, LearnedPlace)
}
"""Registry name -> learned class; each shares its name with a scripted twin in ``SKILLS``."""


def effects_hold(effects: list[Literal], binding: Mapping[str, str], facts: frozenset[Atom]) -> bool:
    """Whether every effect literal holds in ``facts`` under ``binding``.

    A negative effect with a variable no binding fixes (``not robot_at(?other)``) holds when
    no fact matches it other than the atoms the positive effects add.
    """
    added = {substitute(lit.atom, binding) for lit in effects if not lit.negated}
    for lit in effects:
        atom = substitute(lit.atom, binding)
        if variables(atom):
            if not lit.negated:
                return False
            if any(matches(atom, fact, {}) is not None and fact not in added for fact in facts):
                return False
        elif (atom in facts) == lit.negated:
            return False
    return True


__all__ = [
    "LEARNED_SKILLS",
    "TWIN_DECLARATIONS",
    "DoneConfig",
    "LearnedNavigate",
    "LearnedPick",
    "LearnedPlace",
    "LearnedSkill",
    "effects_hold",
]
