"""One instruction, one episode: build the parts by name, run the agent, write the record.

This is what ``agentrt run`` calls; scripts and tests call it too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from agentrt.agent import Agent, AgentObserver, make_skills
from agentrt.core.episode import EpisodeRecord
from agentrt.core.registry import DESCRIBERS, PLANNERS, SCENES
from agentrt.episodes import code_version, new_episode_id, write_episode
from agentrt.plugins import load_skill_modules
from agentrt.video import VideoWriter
from skills.base import StepEvent


class RunConfig(BaseModel):
    """Everything that determines one run of ``agentrt run``."""

    model_config = ConfigDict(extra="forbid")

    instruction: str = Field(description="the high-level instruction, e.g. 'tidy the kitchen'")
    scene: str = Field(default="kitchen-v0", description="registered scene id")
    seed: int = Field(default=0, ge=0, description="world seed: same seed, same world")
    describer: str = Field(default="oracle", description="registered scene describer")
    planner: str = Field(default="symbolic", description="registered task planner")
    max_replans: int = Field(default=3, ge=0, description="replans allowed after failed subgoals")
    out: Path = Field(default=Path("runs"), description="directory that receives one folder per episode")
    video: Path | None = Field(
        default=None, description="MP4 of the head camera (default: in the episode folder)"
    )
    gui: bool = Field(default=False, description="open the PyBullet GUI instead of headless rendering")
    skills_modules: list[str] = Field(
        default_factory=list, description="user skill modules to import first, e.g. 'examples.serve_drink'"
    )


@dataclass
class RunOutcome:
    """The record and where it was written."""

    record: EpisodeRecord
    episode_path: Path
    video_path: Path | None


class _VideoObserver(AgentObserver):
    """Streams the head camera to MP4, one frame per 10 Hz step."""

    def __init__(self, writer: VideoWriter) -> None:
        self.writer = writer

    def on_step(self, event: StepEvent) -> None:
        self.writer.write(event.next_obs["head_rgb"])


def run_instruction(config: RunConfig, observers: Sequence[AgentObserver] = ()) -> RunOutcome:
    """Build scene, describer, planner and skills from ``config``, run, and write the episode.

    Raises:
        agentrt.core.registry.RegistryError: an unknown scene, describer or planner name, or
            a skills module that cannot be loaded (:class:`agentrt.plugins.PluginError`).
    """
    start = time.perf_counter()
    load_skill_modules(config.skills_modules)
    env_cls = SCENES.get(config.scene)
    describer = DESCRIBERS.get(config.describer)()
    planner = PLANNERS.get(config.planner)()
    skills = make_skills()
    episode_id = new_episode_id(config.scene, config.seed)
    episode_dir = config.out / episode_id
    video_path = config.video or episode_dir / "head.mp4"
    writer = VideoWriter(video_path, fps=env_cls.metadata.get("render_fps", 10))
    env = env_cls(gui=config.gui)
    try:
        obs, _ = env.reset(seed=config.seed)
        writer.write(obs["head_rgb"])
        agent = Agent(
            env,
            describer,
            planner,
            skills,
            max_replans=config.max_replans,
            observers=[_VideoObserver(writer), *observers],
        )
        record = EpisodeRecord(
            episode_id=episode_id,
            instruction=config.instruction,
            scene=config.scene,
            seed=config.seed,
            code_version=code_version(),
            describer=config.describer,
            planner=config.planner,
            initial_scene=env.describe(),
        )
        record = agent.run(config.instruction, record)
    finally:
        frames = writer.close()
        env.close()
    record.video = str(video_path) if frames > 1 and record.status != "rejected" else None
    if record.video is None:  # nothing moved: no video to keep
        video_path.unlink(missing_ok=True)
    record.wall_time_s = time.perf_counter() - start
    path = write_episode(record, episode_dir)
    return RunOutcome(
        record=record, episode_path=path, video_path=Path(record.video) if record.video else None
    )
