"""Benchmark autonomous collection: episodes/hour on 1 and 2 workers, bytes per episode.

Each configuration collects into a fresh dataset with ``agentrt collect`` (as a user
would), then the dataset is verified. ``--kill-worker-after S`` SIGKILLs one Ray worker
process S seconds into the multi-worker run, to show that only its in-flight episode
is lost.

    python scripts/bench_collect.py --episodes 10 --workers 1 2
    python scripts/bench_collect.py --episodes 50 --workers 2 --kill-worker-after 120
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from agentrt.datasets import load_meta
from agentrt.datasets.verify import verify
from agentrt.testing import descendant_pids


def _kill_one_worker_later(collector: subprocess.Popen, delay_s: float, done: threading.Event) -> None:
    if done.wait(delay_s):
        return
    pids = descendant_pids(collector.pid, "ray::_RayWorker.run")  # this collector's workers only
    if pids:
        os.kill(pids[0], signal.SIGKILL)
        print(f"  killed Ray worker pid {pids[0]} at {delay_s:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--kill-worker-after", type=float, default=None, help="seconds (multi-worker runs only)"
    )
    parser.add_argument("--out", type=Path, default=None, help="keep datasets here (default: a temp dir)")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="agentrt-bench-collect-"))
    exe = Path(sys.executable).with_name("agentrt")
    rates: dict[int, float] = {}
    for workers in args.workers:
        root = out / f"{args.scene}-w{workers}"
        cmd = [
            str(exe),
            "collect",
            "--scene",
            args.scene,
            "--episodes",
            str(args.episodes),
            "--workers",
            str(workers),
            "--out",
            str(root),
        ]
        done = threading.Event()
        start = time.perf_counter()
        collector = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if args.kill_worker_after is not None and workers > 1:
            killer = threading.Thread(
                target=_kill_one_worker_later, args=(collector, args.kill_worker_after, done), daemon=True
            )
            killer.start()
        _, stderr = collector.communicate()
        wall = time.perf_counter() - start
        done.set()
        if collector.returncode != 0:
            print(stderr[-2000:])
            raise SystemExit(f"collect failed with exit code {collector.returncode}")
        meta = load_meta(root)
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        faults = verify(root)
        episodes = len(meta.episodes)
        success = sum(bool(e.get("success")) for e in meta.episodes)
        rates[workers] = episodes / wall * 3600
        summary = [line for line in stderr.splitlines() if "committed" in line or "faults" in line]
        print(
            f"workers={workers}: {episodes} episodes, {meta.total_frames} frames in {wall:.0f} s wall"
            f" -> {rates[workers]:.0f} episodes/hour; success {success}/{episodes};"
            f" {size / max(episodes, 1) / 1e6:.2f} MB/episode; verify: {'ok' if not faults else faults[:3]}",
            flush=True,
        )
        for line in summary:
            print("  " + line.strip())
    if 1 in rates and len(rates) > 1:
        for workers, rate in rates.items():
            if workers != 1:
                print(f"scaling {workers} workers / 1 worker: {rate / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
