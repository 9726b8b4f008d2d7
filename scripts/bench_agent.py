"""Benchmark the whole hierarchy: `agentrt run INSTRUCTION` over a range of seeds.

Prints one row per seed (status, misplaced objects, subgoals, replans, wall and
simulated time) and a summary. This is the figure behind the README's claim.

    python scripts/bench_agent.py --instruction "tidy the kitchen" --seeds 0-9
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
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
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="agentrt-bench-"))
    rows = []
    header = ("seed", "status", "misplaced", "subgoals", "replans", "wall_s", "sim_s")
    print("{:>4} {:<17} {:>9} {:>8} {:>7} {:>7} {:>6}".format(*header))
    for seed in seed_range(args.seeds):
        config = RunConfig(instruction=args.instruction, scene=args.scene, seed=seed, out=out)
        record = run_instruction(config).record
        misplaced = len(record.initial_scene.misplaced())
        rows.append(record)
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


if __name__ == "__main__":
    main()
