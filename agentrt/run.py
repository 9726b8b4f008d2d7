"""One instruction, one episode: build the parts by name, run the agent, record the episode.

This is what ``agentrt run`` calls; scripts and tests call it too. Every run that moves
the robot appends one episode to the LeRobot v3 dataset ``<out>/<scene>/`` (frames,
per-camera video, provenance); a rejected instruction moves nothing and writes nothing.

``robot`` picks the robot of a scene that offers a choice (a scene class with a
``select_robot(name)`` classmethod returning config overrides, e.g. ``house-v0``:
``quadruped`` or ``a1``); any other scene accepts only its own robot's name. A robot
the scene cannot run is :class:`UnsupportedRobotError` (one line, nothing built).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agentrt.agent import Agent, AgentObserver
from agentrt.core.episode import EpisodeRecord
from agentrt.core.registry import DESCRIBERS, PLANNERS, ROBOTS, SCENES
from agentrt.datasets import constants as K
from agentrt.datasets import features_from_env, load_meta, provenance_from_record
from agentrt.datasets.episodes import code_version, new_episode_id
from agentrt.datasets.video import VideoWriter
from agentrt.plugins import load_skill_modules
from agentrt.recording import DatasetRecorder, HandoffRecorder, open_or_create
from agentrt.skill_sets import resolve_skill_set
from scenes.protocol import SceneEnv
from skills.base import StepEvent


class RunConfig(BaseModel):
    """Everything that determines one run of ``agentrt run``."""

    model_config = ConfigDict(extra="forbid")

    instruction: str = Field(description="the high-level instruction, e.g. 'tidy the kitchen'")
    scene: str = Field(default="kitchen-v0", description="registered scene id")
    seed: int = Field(default=0, ge=0, description="world seed: same seed, same world")
    robot: str | None = Field(
        default=None, description="robot model or kind (e.g. 'quadruped', 'a1'); default: the scene's own"
    )
    describer: str = Field(default="oracle", description="registered scene describer")
    planner: str = Field(default="symbolic", description="registered task planner")
    planner_config: dict[str, Any] = Field(
        default_factory=dict, description="settings for the planner's own Config (validated there)"
    )
    describer_config: dict[str, Any] = Field(
        default_factory=dict, description="settings for the describer's own Config (validated there)"
    )
    max_replans: int = Field(default=3, ge=0, description="replans allowed after failed subgoals")
    out: Path = Field(default=Path("runs"), description="episodes go to the dataset <out>/<scene>/")
    video: Path | None = Field(default=None, description="also write the head camera as MP4 here")
    gui: bool = Field(default=False, description="open the PyBullet GUI instead of headless rendering")
    skills_modules: list[str] = Field(
        default_factory=list, description="user skill modules to import first, e.g. 'examples.serve_drink'"
    )
    skills: str = Field(
        default="auto",
        description="skill set: auto (learned when the scene ships checkpoints), learned or scripted",
    )
    skill_ckpts: dict[str, Path] = Field(
        default_factory=dict, description="learned skill name -> checkpoint overriding the shipped one"
    )


class UnsupportedRobotError(ValueError):
    """The scene cannot run the requested robot; the message is one line for the user."""


def scene_robot_overrides(scene: str, env_cls: Any, robot: str | None) -> dict[str, Any]:
    """Config overrides that make ``env_cls`` run ``robot`` (``{}`` for the scene's own robot).

    Raises:
        UnsupportedRobotError: the scene has no such robot, or no controller to drive it.
    """
    if robot is None:
        return {}
    select = getattr(env_cls, "select_robot", None)
    if select is not None:
        try:
            return dict(select(robot))
        except ValueError as exc:
            raise UnsupportedRobotError(str(exc)) from None
    own = _robot_name(env_cls)
    if robot == own:
        return {}
    choosers = [name for name, cls in SCENES.items() if getattr(cls, "select_robot", None) is not None]
    raise UnsupportedRobotError(
        f"{scene} runs only its own robot ({own}), not {robot!r}; scenes with a robot choice: "
        f"{', '.join(choosers) or 'none'}"
    )


def skills_for_robot(env: SceneEnv, skills: dict[str, Any]) -> dict[str, Any]:
    """The skills whose action groups the scene's robot has (a legged robot has no ``arm``).

    The planner is offered only these, so an instruction needing a gripper on a robot
    without one is rejected before anything moves instead of failing mid-run.
    """
    groups = getattr(env.action_space, "spaces", None)
    if groups is None:
        return skills
    return {name: skill for name, skill in skills.items() if set(skill.action_keys) <= set(groups)}


@dataclass
class RunOutcome:
    """The record, and where its episode went (``None`` when the instruction was rejected)."""

    record: EpisodeRecord
    dataset: Path
    episode_index: int | None
    provenance_path: Path | None


class _VideoObserver(AgentObserver):
    """Streams the head camera to an MP4, one frame per 10 Hz step."""

    def __init__(self, writer: VideoWriter) -> None:
        self.writer = writer

    def on_step(self, event: StepEvent) -> None:
        self.writer.write(event.next_obs["head_rgb"])


def run_instruction(config: RunConfig, observers: Sequence[AgentObserver] = ()) -> RunOutcome:
    """Build scene, describer, planner and skills from ``config``, run, and record the episode.

    Raises:
        agentrt.core.registry.RegistryError: an unknown scene, describer or planner name, or
            a skills module that cannot be loaded (:class:`agentrt.plugins.PluginError`).
        UnsupportedRobotError: ``config.robot`` cannot run in the scene.
        agentrt.skill_sets.SkillSetUnavailable: unknown skill set, or learned skills without checkpoints.
        agentrt.datasets.DatasetError: the dataset cannot be written (nothing is half-written).
    """
    start = time.perf_counter()
    load_skill_modules(config.skills_modules)
    env_cls = SCENES.get(config.scene)
    overrides = scene_robot_overrides(config.scene, env_cls, config.robot)
    describer = DESCRIBERS.get(config.describer)(config.describer_config)
    planner = PLANNERS.get(config.planner)(config.planner_config)
    _, skills = resolve_skill_set(config.skills, config.scene, config.skill_ckpts)
    dataset = config.out / config.scene
    env = env_cls(gui=config.gui, **overrides)
    video = VideoWriter(config.video, fps=env_cls.metadata.get("render_fps", 10)) if config.video else None
    writer = None
    try:
        writer = open_or_create(dataset, features_from_env(env), fps=10, robot_type=_robot_name(env))
        obs, _ = env.reset(seed=config.seed)
        if video is not None:
            video.write(obs["head_rgb"])
        extra = [_VideoObserver(video)] if video is not None else []
        handoffs = HandoffRecorder(env)
        agent = Agent(
            env,
            describer,
            planner,
            skills_for_robot(env, skills),
            max_replans=config.max_replans,
            observers=[handoffs, DatasetRecorder(writer), *extra, *observers],
        )
        record = EpisodeRecord(
            episode_id=new_episode_id(config.scene, config.seed),
            instruction=config.instruction,
            scene=config.scene,
            seed=config.seed,
            code_version=code_version(),
            describer=config.describer,
            planner=config.planner,
            robot=_robot_name(env),
            initial_scene=env.describe(),
        )
        writer.begin_episode(task=config.instruction)
        record = agent.run(config.instruction, record)
        record.wall_time_s = time.perf_counter() - start
        index = None
        if record.steps == 0:  # rejected (or nothing to do): no frames, no episode
            writer.discard_episode()
        else:
            extra_prov = {"handoffs": handoffs.summaries} if handoffs.active else {}
            index = writer.end_episode(record.success, provenance_from_record(record, **extra_prov))
    finally:
        if writer is not None:
            writer.close()
        if video is not None:
            video.close()
        env.close()
    if video is not None and index is None and config.video is not None:
        config.video.unlink(missing_ok=True)
    record.video = (
        str(config.video) if video is not None and index is not None else _episode_video(dataset, index)
    )
    provenance = dataset / K.PROVENANCE_PATH.format(episode_index=index) if index is not None else None
    return RunOutcome(record=record, dataset=dataset, episode_index=index, provenance_path=provenance)


def _robot_name(env: object) -> str:
    robot_cls = getattr(env, "robot_cls", None)
    return next((name for name, cls in ROBOTS.items() if cls is robot_cls), "unknown")


def _episode_video(dataset: Path, index: int | None) -> str | None:
    """The head-camera MP4 holding episode ``index`` in the dataset."""
    if index is None:
        return None
    meta = load_meta(dataset)
    row = next(r for r in meta.episodes if r[K.EPISODE_INDEX] == index)
    return str(meta.episode_video_file(row, "observation.images.head"))
