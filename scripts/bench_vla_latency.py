"""Latency of one VLA action chunk on the CPU (``torch.set_num_threads(THREADS)``, 2 by default).

Times ``VLAPolicy.predict_chunk`` (resize, normalise, network, un-normalise; the instruction
embedding is cached after the first call, as in deployment) on a real kitchen-v0 observation,
and prints p50/p95 in ms, the chunk rate this allows, and the share of a 10 Hz control step
it uses when the policy is queried every step (temporal ensembling). Either a trained
artifact (``--ckpt``) or an untrained model of a preset (same cost):

    python scripts/bench_vla_latency.py --ckpt runs/vla/manipulation
    python scripts/bench_vla_latency.py --family navigation --head flow

On a 2-core CPU shared with the simulator, set ``OMP_WAIT_POLICY=PASSIVE`` (or ``--threads 1``):
with spinning OpenMP threads one thread waits on a busy core and p95 went past 100 ms here.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch


def _policy(args: argparse.Namespace):
    from skills.vla.artifact import load_policy
    from skills.vla.config import preset
    from skills.vla.model import VLAModel
    from skills.vla.normalize import NormStats
    from skills.vla.policy import VLAPolicy

    if args.ckpt:
        return load_policy(args.ckpt)
    config = preset(args.family, head=args.head, vision=args.vision, image_size=args.image_size)
    dim = config.action_dim
    stats = NormStats(
        state_mean=[0.0] * config.state_width,
        state_std=[1.0] * config.state_width,
        action_low=[-1.0] * dim,
        action_high=[1.0] * dim,
    )
    return VLAPolicy(VLAModel(config, pretrained=False), stats)


def _observation(scene: str, seed: int) -> dict[str, np.ndarray]:
    from agentrt.core.registry import SCENES

    env = SCENES.get(scene)()
    try:
        obs, _ = env.reset(seed=seed)
    finally:
        env.close()
    return obs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--ckpt", default=None, help="artifact base path (default: an untrained preset model)"
    )
    parser.add_argument("--family", default="manipulation", choices=["manipulation", "navigation"])
    parser.add_argument("--head", default="tokens", choices=["tokens", "flow", "l1"])
    parser.add_argument("--vision", default="cnn", choices=["cnn", "efficientnet-lite0"])
    parser.add_argument("--image-size", type=int, default=96)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--instruction", default="pick up the red mug")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="reset the policy before every call, so that each one searches for its goal again (the "
        "first chunk of a skill call: the object pointer and the depth segmentation; later chunks "
        "reuse the goal kept)",
    )
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    policy = _policy(args)
    obs = _observation(args.scene, 0)
    for _ in range(args.warmup):
        policy.predict_chunk(obs, args.instruction)
    times = []
    for _ in range(args.iters):
        if args.fresh:
            policy.reset()
        start = time.perf_counter()
        policy.predict_chunk(obs, args.instruction)
        times.append((time.perf_counter() - start) * 1000)
    p50, p95 = statistics.median(times), float(np.percentile(times, 95))
    c = policy.config
    params = sum(p.numel() for p in policy.model.parameters()) / 1e6
    print(
        f"{c.name} head={c.head} vision={c.vision} image={c.image_size}px cameras={','.join(c.cameras)} "
        f"chunk={c.chunk_size} params={params:.2f}M threads={args.threads}"
    )
    kind = "first chunks (goal search every call)" if args.fresh else "calls"
    print(f"predict_chunk latency over {args.iters} {kind}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(
        f"max chunk rate {1000 / p95:.0f} Hz at p95; querying every step at {c.control_hz:g} Hz "
        f"(temporal ensembling) uses {p95 / (1000 / c.control_hz):.0%} of each control step"
    )


if __name__ == "__main__":
    main()
