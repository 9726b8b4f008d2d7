"""Tidy kitchen-v0 with the scripted experts, without the planner; print per-seed results.

For every misplaced object: navigate_to(location) -> pick -> navigate_to(home) -> place.
Usage: ``python scripts/bench_tidy_experts.py --seeds 0-9 [--scene kitchen-v0]``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

import numpy as np

import scenes
from skills.scripted import ScriptedNavigate, ScriptedPick, ScriptedPlace


def run_seed(scene: str, seed: int, verbose: bool = False) -> dict:
    env = scenes.make(scene)
    start = time.perf_counter()
    env.reset(seed=seed)
    e = env.unwrapped
    first = e.describe()
    goal = [f"in({o.id}, {o.home})" for o in first.objects if o.home]
    e.goal = goal
    skills = {"navigate_to": ScriptedNavigate(), "pick": ScriptedPick(), "place": ScriptedPlace()}
    calls: list[tuple[str, bool, str | None]] = []
    steps = 0
    attempts: Counter = Counter()

    def call(name: str, args: dict) -> bool:
        nonlocal steps
        res = skills[name].run(env, args, scene=e.describe())
        steps += res.steps
        calls.append((name, res.ok, res.reason))
        if verbose:
            print(f"  seed {seed} {name}{args}: {res.status.value} {res.reason or ''} ({res.steps} steps)")
        return res.ok

    for _ in range(2 * len(first.misplaced()) + 2):  # a simple loop with one retry per object
        scene = e.describe()
        if scene.robot.holding:  # finish (or recover) a transport first
            obj = scene.object(scene.robot.holding)
            if (not e.mobile or call("navigate_to", {"place": obj.home})) and call(
                "place", {"object": obj.id, "receptacle": obj.home}
            ):
                continue
            break
        todo = [o for o in scene.misplaced() if attempts[o.id] < 2 and o.location is not None]
        if not todo:
            break
        obj = todo[0]
        attempts[obj.id] += 1
        if e.mobile and not call("navigate_to", {"place": obj.location}):
            continue
        if not call("pick", {"object": obj.id}):
            continue
        if e.mobile and not call("navigate_to", {"place": obj.home}):
            continue
        call("place", {"object": obj.id, "receptacle": obj.home})
    success = e.goal_reached()
    wall = time.perf_counter() - start
    env.close()
    return {
        "seed": seed,
        "success": success,
        "wall_s": round(wall, 1),
        "steps": steps,
        "misplaced": len(first.misplaced()),
        "calls": calls,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--seeds", default="0-9", help="e.g. 0-9 or 3,5")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", default=None, help="write results to this file")
    a = parser.parse_args()
    if "-" in a.seeds:
        lo, hi = map(int, a.seeds.split("-"))
        seeds = list(range(lo, hi + 1))
    else:
        seeds = [int(s) for s in a.seeds.split(",")]
    results, per_skill = [], Counter()
    for seed in seeds:
        r = run_seed(a.scene, seed, a.verbose)
        results.append(r)
        for name, ok, _ in r["calls"]:
            per_skill[(name, ok)] += 1
        fails = [f"{n}: {why}" for n, ok, why in r["calls"] if not ok]
        print(
            f"seed {seed}: success={r['success']} misplaced={r['misplaced']} steps={r['steps']} "
            f"wall={r['wall_s']}s {fails}",
            flush=True,
        )
    n_ok = sum(r["success"] for r in results)
    print(f"tidy success {n_ok}/{len(results)}; mean wall {np.mean([r['wall_s'] for r in results]):.1f}s")
    for name in ("navigate_to", "pick", "place"):
        ok, bad = per_skill[(name, True)], per_skill[(name, False)]
        if ok + bad:
            print(f"  {name}: {ok}/{ok + bad} succeeded")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
