"""Skill-focused demonstrations: the scripted expert's ``pick`` / ``place`` calls alone, recorded.

    cp -r runs/data/kitchen-v0 runs/data/kitchen-v0-more
    python scripts/collect_skill_demos.py --out runs/data/kitchen-v0-more --skills pick,place \
        --episodes 400 --seed-start 300000

``agentrt collect`` records whole tidying episodes, where 57% of the frames are navigation
and a pick comes about once per 160 frames. A manipulation model needs many more picks than
that. For each seed this brings the scene to each skill's evaluation start state
(:func:`skills.vla.evaluate.setup_case`, with the cameras off: nobody reads those pixels),
then records the scripted skill from there, cameras on, as one episode of one subgoal
(``skill`` column ``pick`` or ``place``, the canonical instruction as its task). Only calls
the expert completes are kept. The evaluation draws its seeds from 100000 on, DAgger from
200000; use seeds from 300000 on here so that no evaluated scene is ever trained on.

Appends to ``--out`` (created with the scene's features if absent); each episode is
committed on its own, so an interrupted run (Ctrl-C or SIGTERM: it stops after closing the
dataset) keeps what it recorded.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
SKILLS = ("pick", "place")


def _bad(message: str) -> int:
    print(f"collect_skill_demos: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _recorder(into: list[tuple[dict[str, Any], dict[str, Any]]]) -> Any:
    """A step hook appending ``(obs before the action, action)`` to ``into``."""

    def on_step(event: Any) -> None:
        into.append((event.obs, event.action))

    return on_step


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM (a session ending) stops the run like Ctrl-C: the dataset is closed first."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="dataset to create or append to")
    parser.add_argument("--skills", default="pick,place", help="comma-separated: pick, place")
    parser.add_argument("--episodes", type=int, default=100, help="seeds; each gives one call per skill")
    parser.add_argument("--seed-start", type=int, default=300_000, help="first scene seed")
    parser.add_argument("--scene", default="kitchen-v0")
    args = parser.parse_args(argv)
    skills = [s.strip() for s in args.skills.split(",") if s.strip()]
    unknown = [s for s in skills if s not in SKILLS]
    if not skills or unknown:
        return _bad(f"--skills must name some of {', '.join(SKILLS)}, got {args.skills!r}")
    if args.episodes < 1:
        return _bad("--episodes must be at least 1")

    from agentrt.core.registry import SKILLS as REGISTRY
    from agentrt.episodes import code_version
    from agentrt.recording import open_scene_recording
    from skills.vla.evaluate import run_case, setup_case

    try:
        env, writer = open_scene_recording(args.scene, args.out)
    except ValueError as exc:
        return _bad(str(exc))

    previous = signal.signal(signal.SIGTERM, _interrupt)
    kept = {s: 0 for s in skills}
    failed = {s: 0 for s in skills}
    frames = 0
    start = time.perf_counter()
    try:
        for i, seed in enumerate(range(args.seed_start, args.seed_start + args.episodes), 1):
            for name in skills:
                with env.unwrapped.cameras_paused():
                    setup = setup_case(env, name, seed)
                if setup is None:
                    failed[name] += 1
                    continue
                case, scene = setup
                recorded: list[tuple[dict[str, Any], dict[str, Any]]] = []
                skill = REGISTRY.get(name)()
                outcome = run_case(
                    env, skill, case, scene, case.instruction, "expert", on_step=_recorder(recorded)
                )
                if not outcome.success or not recorded:
                    failed[name] += 1
                    continue
                writer.begin_episode(task=case.instruction)
                for obs, action in recorded:
                    writer.add_frame(obs, action, task=case.instruction, skill=name, subgoal_index=0)
                provenance: dict[str, Any] = {
                    "instruction": case.instruction,
                    "scene": args.scene,
                    "seed": seed,
                    "code_version": code_version(),
                    "skill_impls": {0: type(skill).__name__},
                    "success_decided_by": f"effects of {name} in env.facts() after the scripted call",
                    "extra": {"skill_demo": {"skill": name, "args": case.args, "steps": outcome.steps}},
                }
                writer.end_episode(True, provenance)
                kept[name] += 1
                frames += len(recorded)
            if i % 10 == 0 or i == args.episodes:
                print(f"[{i}/{args.episodes}] seed {seed}: kept {kept}, {frames} frames, "
                      f"{time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
    except KeyboardInterrupt:
        print("interrupted: the episodes committed so far are in the dataset", file=sys.stderr)
    finally:
        writer.close()
        env.close()
        signal.signal(signal.SIGTERM, previous)
    print(
        f"kept {kept} calls ({frames} frames), expert or set-up failed {failed}, in "
        f"{time.perf_counter() - start:.0f} s; dataset {args.out} now has {writer.num_episodes} episodes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
