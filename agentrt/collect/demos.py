"""Skill-focused demonstrations: the scripted expert's ``pick`` / ``place`` / ``navigate_to`` calls alone.

    cp -r runs/data/kitchen-v0 runs/data/kitchen-v0-more
    agentrt vla demos --out runs/data/kitchen-v0-more --skills pick,place \
        --episodes 400 --seed-start 300000

``agentrt collect`` records whole tidying episodes, where 57% of the frames are navigation
and a pick comes about once per 160 frames. A manipulation model needs many more picks than
that. For each seed this brings the scene to each skill's evaluation start state
(:func:`skills.vla.evaluate.setup_case`, with the cameras off: nobody reads those pixels),
then records the scripted skill from there, cameras on, as one episode of one subgoal
(``skill`` column ``pick`` or ``place``, the canonical instruction as its task). Only calls
the expert completes are kept. The evaluation draws its seeds from 100000 on, DAgger from
210000 (the test split 200000-200999 is refused); use seeds from 300000 on here so that no
evaluated scene is ever trained on.

``navigate_to`` demonstrations start as its evaluation does (the reset pose or a place, empty
handed); with ``--carry`` they are the drives tidying makes holding what it just picked, to the
object's home (``setup_case(..., carry=True)``): demonstrations to aggregate with DAgger runs
(``agentrt vla dagger``) without recording whole tidying episodes. ``--wander`` (with or
without ``--carry``) starts each drive where the base wandered off to under random velocities
(``setup_case(..., wander=True)``): the states a learned drive that went astray leaves, and
tidying's retry starts from, which no demonstration from a place shows.

Two options widen the states a call is demonstrated from:

- ``--base-offset-m R`` (pick and place): before the call the base moves up to ``R`` m from where
  the scripted drive left it (uniform in a disc; at most 3 cm towards the counter) and turns up
  to ``--base-yaw-rad``, while ``robot_at`` still holds. The learned ``navigate_to`` can rest up
  to 20 cm from the approach pose (``robot_at``'s tolerance), where the scripted drive stops
  within a centimetre. A pick's base is teleported (the arm homed); a place's is driven there
  at constant velocity, the object still in the hand (:func:`skills.vla.evaluate.offset_base`).
- ``--dart-noise-m S`` (pick calls only): DART (Laskey et al., 2017): while the hand travels to the pregrasp
  pose, each executed step is the expert's plus Gaussian noise of ``S`` m per axis, and the
  *expert's* step is recorded. The demonstrations then show the expert correcting from states
  off its own path, the states a learner's errors lead to. The last slow descent and the
  grasp stay clean (the expert closes within 6 mm). Measured: it made the data worse, not
  better (``docs/vla-experiments.md``, "a negative result"): the noise moves the arm's setpoint,
  which a policy does not observe, so the recorded corrections depend on something hidden.

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

from agentrt.core.exit_codes import EXIT_BAD_INPUT
from agentrt.core.seeds import refuse_test_seeds
from scenes.predicates import AT_POS_TOL_M, AT_YAW_TOL_RAD

SKILLS = ("pick", "place", "navigate_to")


def _bad(message: str) -> int:
    print(f"vla demos: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _recorder(into: list[tuple[dict[str, Any], dict[str, Any]]], labels: list[Any]) -> Any:
    """A step hook appending ``(obs before the action, label)`` to ``into``: the executed action,
    or with DART the expert's own action for that step (``labels[-1]``)."""

    def on_step(event: Any) -> None:
        into.append((event.obs, labels[-1] if labels else event.action))

    return on_step


DART_MIN_STEP_M = 0.01
"""DART noise goes only on expert steps at least this long (m): nearer its waypoint the expert
must land on it exactly to move on (:func:`skills.scripted.motion.reached`)."""


def _dart(skill: Any, sigma_m: float, rng: Any, labels: list[Any]) -> None:
    """Make the scripted pick ``skill`` execute its arm steps plus noise (``sigma_m`` m per axis)
    while it travels to the pregrasp pose, appending each clean action to ``labels``."""
    import numpy as np

    act = skill._act

    def noisy(obs: dict[str, Any]) -> Any:
        out = act(obs)
        if not isinstance(out, dict):
            return out
        labels.append(out)
        arm = np.asarray(out["arm"], np.float32)
        pregrasp = len(skill.sequence.goals) - 1
        if skill.phase == "approach" and skill.sequence.index < pregrasp:
            if float(np.linalg.norm(arm[:3])) >= DART_MIN_STEP_M:
                arm = arm.copy()
                arm[:3] += rng.normal(0.0, sigma_m, 3).astype(np.float32)
                return {**out, "arm": arm}
        return out

    skill._act = noisy


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM (a session ending) stops the run like Ctrl-C: the dataset is closed first."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agentrt vla demos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="dataset to create or append to")
    parser.add_argument("--skills", default="pick,place", help="comma-separated: pick, place, navigate_to")
    parser.add_argument("--episodes", type=int, default=100, help="seeds; each gives one call per skill")
    parser.add_argument("--seed-start", type=int, default=300_000, help="first scene seed")
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--base-offset-m", type=float, default=0.0, help="move the base up to this (m)")
    parser.add_argument("--base-yaw-rad", type=float, default=0.15, help="with --base-offset-m (rad)")
    parser.add_argument(
        "--dart-noise-m", type=float, default=0.0, help="pick: DART noise per axis (m); measured to hurt"
    )
    parser.add_argument("--carry", action="store_true", help="navigate_to: drive holding an object home")
    parser.add_argument(
        "--wander", action="store_true", help="navigate_to: start where the base wandered off to"
    )
    args = parser.parse_args(argv)
    skills = [s.strip() for s in args.skills.split(",") if s.strip()]
    unknown = [s for s in skills if s not in SKILLS]
    if not skills or unknown:
        return _bad(f"--skills must name some of {', '.join(SKILLS)}, got {args.skills!r}")
    if args.episodes < 1:
        return _bad("--episodes must be at least 1")
    try:
        refuse_test_seeds(range(args.seed_start, args.seed_start + args.episodes), "demonstrations")
    except ValueError as exc:
        return _bad(str(exc))
    if args.carry and skills != ["navigate_to"]:
        return _bad("--carry is for --skills navigate_to alone")
    if args.wander and skills != ["navigate_to"]:
        return _bad("--wander is for --skills navigate_to alone")
    if args.base_offset_m > 0 and "navigate_to" in skills:
        return _bad("--base-offset-m is for pick and place")
    if not 0.0 <= args.base_offset_m < AT_POS_TOL_M or not 0.0 <= args.base_yaw_rad < AT_YAW_TOL_RAD:
        return _bad(
            f"--base-offset-m must be in [0, {AT_POS_TOL_M}) and --base-yaw-rad in [0, {AT_YAW_TOL_RAD}) "
            "(the base must still be at the place)"
        )
    if not 0.0 <= args.dart_noise_m <= 0.05:
        return _bad("--dart-noise-m must be in [0, 0.05] m")

    import numpy as np

    from agentrt.core.registry import SKILLS as REGISTRY
    from agentrt.datasets.episodes import code_version
    from agentrt.recording import open_scene_recording
    from skills.vla.evaluate import offset_base, run_case, setup_case

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
                    setup = setup_case(env, name, seed, carry=args.carry, wander=args.wander)
                if setup is None:
                    failed[name] += 1
                    continue
                case, scene = setup
                rng = np.random.default_rng((seed, SKILLS.index(name), 7))
                if args.base_offset_m > 0:
                    if not offset_base(
                        env, args.base_offset_m, args.base_yaw_rad, rng, drive=name == "place"
                    ):
                        failed[name] += 1
                        continue
                    scene = env.unwrapped.describe()
                recorded: list[tuple[dict[str, Any], dict[str, Any]]] = []
                labels: list[Any] = []
                skill = REGISTRY.get(name)()
                if name == "pick" and args.dart_noise_m > 0:
                    _dart(skill, args.dart_noise_m, rng, labels)
                outcome = run_case(
                    env, skill, case, scene, case.instruction, "expert", on_step=_recorder(recorded, labels)
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
                    "extra": {
                        "skill_demo": {
                            "skill": name,
                            "args": case.args,
                            "steps": outcome.steps,
                            "base_offset_m": args.base_offset_m,
                            "dart_noise_m": args.dart_noise_m if name == "pick" else 0.0,
                            "carry": args.carry,
                            "wander": args.wander,
                        }
                    },
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
