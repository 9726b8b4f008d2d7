"""Data scaling of a learned skill: success versus number of training episodes, as a PNG.

    python scripts/vla_data_scaling.py --data runs/collect/kitchen --family manipulation \
        --skill pick --skill place --episodes 50,100,200,400 --steps 20000 --device cuda \
        --eval-episodes 100 --out runs/vla-scaling/kitchen-manipulation

For every ``N`` in ``--episodes`` and every ``--train-seed`` the model of ``--family`` is
trained (:func:`skills.vla.train.train`) on ``N`` training episodes, then each ``--skill`` is
scored by :func:`skills.vla.evaluate.evaluate_skill` on the same held-out seeds
(``--eval-seed-start`` ...). The validation episodes are the same for every ``N`` and the
training sets are nested (the first ``N`` of one seeded permutation of the training episodes),
so only the amount of data changes. The scripted expert is scored once per skill on the
same seeds and drawn as a dashed line.

Resumable: each finished point is ``OUT/n<N>-s<seed>/eval-<skill>.json`` and is skipped when
run again; training resumes from its own checkpoint. ``--plot-only`` redraws
``OUT/data_scaling.png`` (and ``data_scaling.json``) from the points already there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from evals.metrics import wilson_interval

POINT_GLOB = "n*-s*/eval-*.json"


def aggregate(points: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per skill, per training-set size: pooled success over train seeds with a 95% Wilson interval.

    Args:
        points: one dict per (skill, episodes, train_seed) with ``skill``, ``train_episodes``,
            ``successes`` and ``episodes`` (evaluation episodes).

    Returns:
        ``{skill: [{"train_episodes", "success_rate", "low", "high", "successes", "episodes",
        "train_seeds"}, ...]}`` sorted by ``train_episodes``.
    """
    grouped: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for p in points:
        grouped.setdefault(p["skill"], {}).setdefault(int(p["train_episodes"]), []).append(p)
    out: dict[str, list[dict[str, Any]]] = {}
    for skill, by_n in sorted(grouped.items()):
        rows = []
        for n, group in sorted(by_n.items()):
            wins, total = sum(int(g["successes"]) for g in group), sum(int(g["episodes"]) for g in group)
            low, high = wilson_interval(wins, total)
            rows.append(
                {
                    "train_episodes": n,
                    "success_rate": wins / total if total else 0.0,
                    "low": low,
                    "high": high,
                    "successes": wins,
                    "episodes": total,
                    "train_seeds": sorted(int(g["train_seed"]) for g in group),
                }
            )
        out[skill] = rows
    return out


def plot(curves: dict[str, list[dict[str, Any]]], experts: dict[str, float], path: Path, title: str) -> Path:
    """Success (%) versus training episodes (log2 axis), one line per skill, experts dashed; PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 4.0), dpi=120)
    for i, (skill, rows) in enumerate(curves.items()):
        color = f"C{i}"
        n = np.array([r["train_episodes"] for r in rows])
        rate = 100 * np.array([r["success_rate"] for r in rows])
        err = 100 * np.array(
            [[r["success_rate"] - r["low"] for r in rows], [r["high"] - r["success_rate"] for r in rows]]
        )
        ax.errorbar(n, rate, yerr=err, marker="o", capsize=3, color=color, label=f"learned {skill}")
        if skill in experts:
            ax.axhline(100 * experts[skill], linestyle="--", color=color, alpha=0.7, label=f"expert {skill}")
    ax.set_xscale("log", base=2)
    ticks = sorted({r["train_episodes"] for rows in curves.values() for r in rows})
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_ylim(0, 105)
    ax.set_xlabel("training episodes")
    ax.set_ylabel("success on held-out seeds (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def read_points(out: Path) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Every finished point under ``out`` and the experts' success per skill."""
    points = [json.loads(p.read_text()) for p in sorted(out.glob(POINT_GLOB))]
    experts = {
        p.stem.removeprefix("expert-"): json.loads(p.read_text())["expert_success_rate"]
        for p in sorted(out.glob("expert-*.json"))
    }
    return points, experts


def render(out: Path, title: str) -> Path:
    """Aggregate the points under ``out`` into ``data_scaling.json`` and ``data_scaling.png``."""
    points, experts = read_points(out)
    if not points:
        raise SystemExit(f"no finished points under {out} ({POINT_GLOB})")
    curves = aggregate(points)
    (out / "data_scaling.json").write_text(
        json.dumps({"curves": curves, "experts": experts}, indent=1) + "\n"
    )
    return plot(curves, experts, out / "data_scaling.png", title)


@contextlib.contextmanager
def limited_episodes(n: int, seed: int) -> Iterator[None]:
    """Make :func:`skills.vla.train.train` train on ``n`` of the training episodes.

    ``TrainConfig`` has no episode limit, so this wraps the ``load_training_data`` that
    ``skills.vla.train`` calls: the returned data's ``split`` keeps its validation episodes
    and the first ``n`` training episodes of a permutation seeded by ``seed`` (nested sets).
    """
    import skills.vla.train as train_module
    from skills.vla.data import TrainingData

    class Limited(TrainingData):
        def split(self, val_fraction: float, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
            train_idx, val_idx = super().split(val_fraction, split_seed)
            episodes = np.unique(self.episodes[train_idx])
            if len(episodes) < n:
                raise SystemExit(f"the dataset has {len(episodes)} training episodes, fewer than {n}")
            chosen = np.random.default_rng(seed).permutation(episodes)[:n]
            return train_idx[np.isin(self.episodes[train_idx], chosen)], val_idx

    original = train_module.load_training_data

    def load(*args: Any, **kwargs: Any) -> TrainingData:
        data = original(*args, **kwargs)
        return Limited(**{f.name: getattr(data, f.name) for f in fields(TrainingData)})

    train_module.load_training_data = load
    try:
        yield
    finally:
        train_module.load_training_data = original


def run_point(args: argparse.Namespace, n: int, train_seed: int, seeds: list[int]) -> None:
    """Train (or resume) the model for ``n`` episodes and evaluate every skill not yet evaluated."""
    from skills.vla.config import preset
    from skills.vla.evaluate import evaluate_skill
    from skills.vla.train import TrainConfig, train

    folder = args.out / f"n{n}-s{train_seed}"
    todo = [s for s in args.skill if not (folder / f"eval-{s}.json").is_file()]
    if not todo:
        return
    cfg = TrainConfig(
        data=args.data,
        out=folder / "model",
        model=preset(args.family, **dict(_override(o) for o in args.model or [])),
        steps=args.steps,
        batch_size=args.batch_size,
        device=args.device,
        cache_dir=args.cache_dir,
        seed=train_seed,
    )
    with limited_episodes(n, seed=1000 + args.subset_seed):
        policy = train(cfg, progress=not args.quiet)
    for skill in todo:
        expert_file = args.out / f"expert-{skill}.json"
        report = evaluate_skill(
            policy,
            skill,
            seeds,
            args.scene,
            expert=not expert_file.is_file(),
            paraphrases=False,
            max_steps=args.max_steps,
        )
        if report["expert_success_rate"] is not None:
            expert_file.write_text(json.dumps({"expert_success_rate": report["expert_success_rate"]}) + "\n")
        point = {
            "skill": skill,
            "train_episodes": n,
            "train_seed": train_seed,
            "episodes": report["episodes"],
            "successes": round(report["success_rate"] * report["episodes"]),
            "success_rate": report["success_rate"],
            "latency_ms_p50": report["latency_ms_p50"],
            "eval_seeds": [seeds[0], seeds[-1]],
        }
        (folder / f"eval-{skill}.json").write_text(json.dumps(point, indent=1) + "\n")
        print(f"{skill} with {n} episodes (train seed {train_seed}): {100 * report['success_rate']:.1f}%")


def _override(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep:
        raise SystemExit(f"--model wants KEY=JSON, got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="results folder (resumable)")
    parser.add_argument("--data", type=Path, help="LeRobot v3 dataset root")
    parser.add_argument("--family", default="manipulation", help="VLA preset: manipulation | navigation")
    parser.add_argument("--skill", action="append", help="skill to evaluate (repeatable)")
    parser.add_argument("--episodes", default="50,100,200,400", help="training-set sizes, comma separated")
    parser.add_argument(
        "--train-seed", type=int, action="append", help="training seeds (repeatable; default 0)"
    )
    parser.add_argument("--subset-seed", type=int, default=0, help="seed of the episode permutation")
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--cache-dir", type=Path, help="decoded-frame cache shared by every point (default: one per point)"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--model", action="append", help="model config override KEY=JSON, e.g. image_size=64")
    parser.add_argument("--max-steps", type=int, help="learned skill's step budget (smoke runs)")
    parser.add_argument("--scene", default="kitchen-v0")
    parser.add_argument("--eval-episodes", type=int, default=100)
    parser.add_argument("--eval-seed-start", type=int, default=100_000)
    parser.add_argument("--plot-only", action="store_true", help="only redraw from finished points")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    title = f"{args.family} on {args.scene}: success vs training episodes"
    if not args.plot_only:
        if args.data is None or not args.skill:
            parser.error("--data and at least one --skill are needed unless --plot-only")
        sizes = sorted({int(x) for x in args.episodes.split(",") if x.strip()})
        seeds = list(range(args.eval_seed_start, args.eval_seed_start + args.eval_episodes))
        args.out.mkdir(parents=True, exist_ok=True)
        if args.threads:
            import torch

            torch.set_num_threads(args.threads)
        for train_seed in args.train_seed or [0]:
            for n in sizes:
                run_point(args, n, train_seed, seeds)
    print(f"wrote {render(args.out, title)}")


if __name__ == "__main__":
    main()
