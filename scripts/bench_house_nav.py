"""Navigation success in house-v0: `agentrt run "go to the ROOM" --scene house-v0 --robot R` over seeds.

Each run is the whole stack (oracle describer, symbolic planner, scripted ``navigate_to``
walking the robot through its learned locomotion controller) and is recorded as a
dataset episode. Prints one row per (room, seed): reached or not, start room, the
robot's place at the end, steps, simulated and wall time, hand-offs to the controller
(clipped ones in brackets) and falls; then the success rate per room and overall.

    python scripts/bench_house_nav.py --rooms kitchen --seeds 0-9
    python scripts/bench_house_nav.py --rooms kitchen bedroom living_room bathroom --seeds 0-9
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
    parser.add_argument(
        "--rooms", nargs="+", default=["kitchen"], help="room ids (the instruction names them)"
    )
    parser.add_argument("--robot", default="quadruped", help="robot kind or model (--robot of agentrt run)")
    parser.add_argument("--seeds", default="0-9", help="inclusive range, e.g. 0-9")
    parser.add_argument("--out", type=Path, default=None, help="keep episodes here (default: a temp dir)")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="agentrt-house-"))
    header = ("room", "seed", "reached", "start", "end", "steps", "sim_s", "wall_s", "handoffs", "falls")
    print("{:<12} {:>4} {:>7} {:<12} {:<16} {:>5} {:>6} {:>6} {:>9} {:>5}".format(*header))
    results: dict[str, list[bool]] = {}
    walls, sims, falls = [], [], 0
    for room in args.rooms:
        instruction = f"go to the {room.replace('_', ' ')}"
        for seed in seed_range(args.seeds):
            config = RunConfig(
                instruction=instruction, scene="house-v0", seed=seed, robot=args.robot, out=out
            )
            record = run_instruction(config).record
            summaries = [s.handoffs for s in record.subgoals if s.handoffs is not None]
            fell = any(s.fault for s in summaries)
            falls += fell
            count, clipped = sum(s.count for s in summaries), sum(s.clipped for s in summaries)
            start = record.initial_scene.robot.at or "-"
            end = record.final_scene.robot.at if record.final_scene and record.final_scene.robot.at else "-"
            results.setdefault(room, []).append(record.success)
            walls.append(record.wall_time_s)
            sims.append(record.sim_time_s)
            print(
                f"{room:<12} {seed:>4} {str(record.success):>7} {start:<12} {end:<16} {record.steps:>5}"
                f" {record.sim_time_s:>6.1f} {record.wall_time_s:>6.1f} {count:>5} [{clipped}] {int(fell):>5}"
                + (f"  {record.reason}" if record.reason and not record.success else ""),
                flush=True,
            )
    print()
    for room, ok in results.items():
        print(f"go to the {room}: {sum(ok)}/{len(ok)} reached ({sum(ok) / len(ok):.0%})")
    total = [v for ok in results.values() for v in ok]
    print(
        f"overall ({args.robot}): {sum(total)}/{len(total)} = {sum(total) / len(total):.0%}; falls {falls}; "
        f"sim time per run mean {statistics.mean(sims):.1f} s, max {max(sims):.1f} s; "
        f"wall time per run mean {statistics.mean(walls):.1f} s, max {max(walls):.1f} s; episodes in {out}"
    )


if __name__ == "__main__":
    main()
