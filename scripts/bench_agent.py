"""Benchmark the whole hierarchy: `agentrt run INSTRUCTION` over a range of seeds.

Prints one row per seed (status, misplaced objects, subgoals, replans, wall and
simulated time) and a summary. This is the figure behind the README's claim.

    python scripts/bench_agent.py --instruction "tidy the kitchen" --seeds 0-9
    python scripts/bench_agent.py --seeds 100000-100019 --skills learned \
        --skill-ckpt pick=runs/vla/manip --skill-ckpt place=runs/vla/manip --max-replans 3

The summary also counts, per skill, the calls that succeeded (a learned skill's own rate inside
the hierarchy, where it starts from wherever the previous skill left the robot). ``--records F``
appends every run's whole :class:`EpisodeRecord` (plans, subgoal results, initial and final scene)
to F as JSON lines, for reading failures afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

from agentrt.console import seed_range
from agentrt.run import RunConfig, run_instruction


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instruction", default="tidy the kitchen")
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--seeds", default="0-9", help="inclusive range, e.g. 0-9")
    parser.add_argument("--out", type=Path, default=None, help="keep episodes here (default: a temp dir)")
    parser.add_argument("--skills", default="auto", help="auto, learned or scripted")
    parser.add_argument(
        "--skill-ckpt", action="append", default=[], metavar="SKILL=PATH", help="learned checkpoint per skill"
    )
    parser.add_argument("--max-replans", type=int, default=3)
    parser.add_argument(
        "--records", type=Path, default=None, help="append each run's EpisodeRecord here as a JSON line"
    )
    args = parser.parse_args()
    ckpts = {}
    for item in args.skill_ckpt:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            sys.exit(f"bench_agent: --skill-ckpt wants SKILL=PATH, got {item!r}")
        ckpts[name] = Path(path)

    out = args.out or Path(tempfile.mkdtemp(prefix="agentrt-bench-"))
    rows = []
    calls: Counter[str] = Counter()
    succeeded: Counter[str] = Counter()
    header = ("seed", "status", "misplaced", "subgoals", "replans", "wall_s", "sim_s")
    print("{:>4} {:<17} {:>9} {:>8} {:>7} {:>7} {:>6}".format(*header))
    for seed in seed_range(args.seeds):
        config = RunConfig(
            instruction=args.instruction,
            scene=args.scene,
            seed=seed,
            out=out,
            skills=args.skills,
            skill_ckpts=ckpts,
            max_replans=args.max_replans,
        )
        try:
            record = run_instruction(config).record
        except ValueError as exc:  # unknown skill set, missing or unloadable checkpoint
            sys.exit(f"bench_agent: {exc}")
        for sub in record.subgoals:
            calls[sub.subgoal.skill] += 1
            succeeded[sub.subgoal.skill] += bool(sub.result.ok and sub.effects_ok)
        misplaced = len(record.initial_scene.misplaced())
        rows.append(record)
        if args.records is not None:
            with args.records.open("a") as f:
                f.write(record.model_dump_json() + "\n")
        print(
            f"{seed:>4} {record.status:<17} {misplaced:>9} {len(record.subgoals):>8} {record.replans:>7}"
            f" {record.wall_time_s:>7.1f} {record.sim_time_s:>6.1f}"
            + (f"  {record.reason}" if record.reason and not record.success else ""),
            flush=True,
        )
    walls = [r.wall_time_s for r in rows]
    ok = sum(r.success for r in rows)
    print(
        f"\n{args.instruction!r} on {args.scene}: {ok}/{len(rows)} reached the goal; "
        f"wall time per run mean {statistics.mean(walls):.1f} s, max {max(walls):.1f} s; episodes in {out}"
    )
    print("calls that succeeded: " + ", ".join(f"{k} {succeeded[k]}/{n}" for k, n in sorted(calls.items())))


if __name__ == "__main__":
    main()
