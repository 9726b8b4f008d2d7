"""One DAgger iteration for ``navigate_to`` or ``pick``: the learned skill drives, the scripted expert labels.

    agentrt vla dagger --ckpt runs/vla/nav --out runs/data/kitchen-v0-dagger \
        --episodes 60 --seed-start 210000 [--skill navigate_to|pick] [--carry] [--wander]

Each seed starts as :func:`skills.vla.evaluate.setup_case` sets up a case of ``--skill``
(``navigate_to``: from the reset pose or a place, to another place, or with ``--carry`` holding an
object the scripted pick lifted, to its home; with ``--wander`` from where the base wandered off
to under random velocities, the starts a drive gone astray leaves; ``pick``: at the object's
place, an object named);
the learned skill runs, and every state it visits is recorded with
the scripted expert's command from that state (:mod:`skills.vla.dagger`). Each run is appended
to the LeRobot v3 dataset at ``--out`` (created with the scene's features, or appended to; a
copy of the demonstrations makes one aggregated training set) as one episode of the skill,
with provenance naming the checkpoint that drove. Keep ``--seed-start`` away from the
evaluation's seeds (``eval-skill`` uses 100000 on); seeds of the test split
(:data:`agentrt.core.seeds.TEST_SEEDS`) are refused. Bad input exits 2 with one line;
Ctrl-C loses only the run in flight.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from agentrt.core.exit_codes import EXIT_BAD_INPUT
from agentrt.core.seeds import DAGGER_SEED_START, refuse_test_seeds

LABELS = {
    "navigate_to": "ScriptedNavigate.command_from_here (labels)",
    "pick": "PickRelabeller over ScriptedPick's waypoints (labels)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agentrt vla dagger", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckpt", required=True, help="VLA artifact base path (OUT of train vla)")
    parser.add_argument("--skill", default="navigate_to", help="skill to relabel: navigate_to or pick")
    parser.add_argument("--out", required=True, type=Path, help="dataset to create or append to")
    parser.add_argument("--episodes", type=int, default=50, help="learned runs (one seed each)")
    parser.add_argument("--seed-start", type=int, default=DAGGER_SEED_START, help="first scene seed")
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--max-steps", type=int, default=None, help="step budget per run (default: skill's)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument(
        "--carry", action="store_true", help="navigate_to: drive holding an object, to its home"
    )
    parser.add_argument(
        "--wander", action="store_true", help="navigate_to: start where the base wandered off to"
    )
    args = parser.parse_args(argv)
    if args.episodes < 1:
        return _bad("--episodes must be at least 1")
    try:
        refuse_test_seeds(range(args.seed_start, args.seed_start + args.episodes), "DAgger")
    except ValueError as exc:
        return _bad(str(exc))

    import torch

    from agentrt.datasets.episodes import code_version
    from agentrt.recording import open_scene_recording
    from skills.vla.artifact import VLAArtifactError, load_policy
    from skills.vla.dagger import RELABELLERS, RelabelledRun

    if args.skill not in RELABELLERS:
        return _bad(f"--skill {args.skill!r} is not relabelled; choose from {', '.join(RELABELLERS)}")
    relabel = RELABELLERS[args.skill]
    if args.carry and args.skill != "navigate_to":
        return _bad(f"--carry is for navigate_to, not {args.skill}")
    if args.wander and args.skill != "navigate_to":
        return _bad(f"--wander is for navigate_to, not {args.skill}")
    options = {k: True for k in ("carry", "wander") if getattr(args, k)}
    torch.set_num_threads(args.threads)
    try:
        policy = load_policy(args.ckpt)
    except VLAArtifactError as exc:
        return _bad(f"cannot load {args.ckpt}: {exc}")
    if args.skill not in policy.config.skills:
        return _bad(f"{args.ckpt} is a {policy.config.name!r} model, which does not {args.skill}")
    try:
        env, writer = open_scene_recording(args.scene, args.out)
    except ValueError as exc:
        return _bad(str(exc))

    def commit(run: RelabelledRun) -> int:
        writer.begin_episode(task=run.instruction)
        for obs, action in run.frames:
            writer.add_frame(obs, action, task=run.instruction, skill=args.skill, subgoal_index=0)
        provenance: dict[str, Any] = {
            "instruction": run.instruction,
            "scene": args.scene,
            "seed": run.seed,
            "code_version": code_version(),
            "skill_impls": {0: LABELS[args.skill]},
            "success_decided_by": f"effects of {args.skill} in env.facts() after the learned run",
            "extra": {
                "dagger": {
                    "driver": str(args.ckpt),
                    "carry": args.carry,
                    "wander": args.wander,
                    "learned_success": run.success,
                    "learned_status": run.status,
                    "steps": run.steps,
                    "unlabelled_steps": run.unlabelled,
                    "blocked_steps": run.blocked_steps,
                }
            },
        }
        return writer.end_episode(run.success, provenance)

    seeds = range(args.seed_start, args.seed_start + args.episodes)
    wins = frames = blocked = skipped = 0
    start = time.perf_counter()
    try:
        for i, seed in enumerate(seeds, 1):
            run = relabel(env, policy, seed, max_steps=args.max_steps, **options)
            if run is None or not run.frames:
                skipped += 1
                continue
            index = commit(run)
            wins += run.success
            frames += len(run.frames)
            blocked += run.blocked_steps
            print(
                f"[{i}/{args.episodes}] seed {seed} -> {run.target}: learned "
                f"{'succeeded' if run.success else 'failed (' + run.status + ')'} in {run.steps} steps, "
                f"{len(run.frames)} labelled frames, {run.blocked_steps} blocked; episode {index}",
                flush=True,
            )
    except KeyboardInterrupt:
        print("interrupted: the runs committed so far are in the dataset", file=sys.stderr)
    finally:
        writer.close()
        env.close()
    runs = args.episodes - skipped
    print(
        f"{runs} runs in {time.perf_counter() - start:.0f} s: learned succeeded in {wins}, "
        f"{frames} relabelled frames ({blocked} with the base blocked), {skipped} seeds skipped; "
        f"dataset {args.out} now has {writer.num_episodes} episodes"
    )
    return 0


def _bad(message: str) -> int:
    print(f"vla dagger: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
