"""Ship a trained VLA into ``skills/vla/checkpoints/`` with its model card.

    agentrt ship vla runs/vla/manip --scene kitchen-v0 --family manipulation \
        --collect-command "agentrt collect --out runs/data/kitchen-v0 --episodes 400 --seed 0" \
        --train-command "agentrt train vla --data runs/data/kitchen-v0 --out runs/vla/manip ..." \
        --eval runs/vla/eval-pick.json --eval runs/vla/eval-place.json \
        --eval-command "agentrt eval skill pick --ckpt runs/vla/manip --episodes 100 ..."

The artifact (``RUN.safetensors`` + ``RUN.json``) is loaded with
:func:`skills.vla.artifact.load_policy` first (a broken one is refused), then copied to
``<scene>-<family>.*``. The card ``<scene>-<family>.md`` is written from what the files say,
not from memory: the model config and parameter count, the training data and settings and
wall time from the artifact's provenance, the validation curve from ``RUN.log.jsonl``, and
one row per ``--eval`` report (the ``agentrt eval-skill --out`` JSON). ``--note`` lines are
added under "Limitations".
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from agentrt.core.exit_codes import EXIT_BAD_INPUT
from agentrt.core.seeds import DEV_SEEDS, TEST_SEEDS
from skills.vla.artifact import VLAArtifactError, artifact_paths, load_policy
from skills.vla.catalog import CHECKPOINT_DIR, families


def read_log(path: Path) -> list[dict[str, Any]]:
    """The validation rows of a training log (``RUN.log.jsonl``), oldest first."""
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in rows if "val/loss" in r]


def split_of(seeds: list[int]) -> str:
    """Which split ``seeds`` come from (:mod:`agentrt.core.seeds`): ``test``, ``dev``, or ``mixed``."""
    if all(s in TEST_SEEDS for s in seeds):
        return "test"
    if all(s in DEV_SEEDS for s in seeds):
        return "dev"
    return "mixed"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def eval_table(reports: list[dict[str, Any]]) -> list[str]:
    """Markdown rows: one per evaluated skill."""
    lines = [
        "| skill | seeds (split) | learned | scripted expert | learned / expert | paraphrased "
        "| chunk latency p50 / p90 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        seeds = sorted({o["seed"] for o in r.get("outcomes", [])})
        span = f"{seeds[0]}-{seeds[-1]}, {split_of(seeds)}" if seeds else "-"
        starts = [word for key, word in (("wander", "wandered"), ("carry", "carrying")) if r.get(key)]
        span += f", {' and '.join(starts)}" if starts else ""
        rel = r.get("relative_to_expert")
        lat = r.get("latency_ms_p50"), r.get("latency_ms_p90")
        lines.append(
            f"| `{r['skill']}` | {r['episodes']} ({span}) | {_pct(r.get('success_rate'))} "
            f"| {_pct(r.get('expert_success_rate'))} | {'-' if rel is None else f'{rel:.2f}'} "
            f"| {_pct(r.get('paraphrase_success_rate'))} "
            f"| {'-' if lat[0] is None else f'{lat[0]:.1f} / {lat[1]:.1f} ms'} |"
        )
    return lines


def card(
    name: str,
    meta: dict[str, Any],
    n_params: int,
    log: list[dict[str, Any]],
    reports: list[dict[str, Any]],
    args: argparse.Namespace,
) -> str:
    """The model card's markdown."""
    cfg, prov = meta["config"], meta.get("provenance", {})
    tc = prov.get("train_config", {})
    seconds, wall = prov.get("train_seconds"), "wall time"
    if seconds is None and log:  # artifacts trained before the wall time was recorded
        first = log[0]
        seconds = log[-1]["time"] - first["time"] + first["step"] / first["steps_per_s"]
        wall = "wall time (from the training log's timestamps)"
    lines = [
        f"# {name}",
        "",
        f"VLA for `{args.scene}`, skill family `{args.family}`: drives "
        + ", ".join(f"`{s}`" for s in cfg["skills"])
        + f" ({'+'.join(cfg['action_keys'])} actions, {cfg['chunk_size']}-step chunks"
        f" at {cfg['control_hz']:g} Hz).",
        "",
        "## Model",
        "",
        f"- {n_params / 1e6:.2f} M trainable parameters; vision `{cfg['vision']}` "
        f"(widths {cfg['cnn_widths']}) on {', '.join(cfg['cameras'])} at {cfg['image_size']} px,"
        " FiLM on the instruction;",
        f"- frozen all-MiniLM-L6-v2 instruction embedding; transformer d={cfg['d_model']}, "
        f"{cfg['enc_layers']} encoder + {cfg['dec_layers']} decoder layers;",
        f"- head `{cfg['head']}`"
        + (f" ({cfg['n_bins']} bins per dimension)" if cfg["head"] == "tokens" else "")
        + f"; state entries {len(cfg['state_indices'])} of 18"
        + "".join(
            f", {how} {len(cfg.get(key) or ())} (entries {list(cfg[key])})"
            for key, how in (("wrap_angles", "angles wrapped to [-pi, pi)"), ("sincos_angles", "as sin/cos"))
            if cfg.get(key)
        )
        + ".",
        "",
        "## Data",
        "",
        f"- dataset `{prov.get('data')}` (LeRobot v3.0, recorded as below);",
        f"- {prov.get('episodes')} training episodes, {prov.get('frames')} frames of "
        + ", ".join(cfg["skills"])
        + f"; {len(prov.get('instructions', []))} distinct instructions; "
        f"{100 * tc.get('val_fraction', 0):.0f}% of episodes held out for validation.",
        "",
        "Collected with:",
        "",
        "```",
        args.collect_command,
        "```",
        "",
        "## Training",
        "",
        "```",
        args.train_command,
        "```",
        "",
        f"- {prov.get('steps')} steps at batch {tc.get('batch_size')}, AdamW lr {tc.get('lr')} "
        f"(warm-up {tc.get('warmup_steps')}, cosine to 10%), image shift ±{tc.get('augment_shift')} px,"
        f" seed {prov.get('seed')};",
        f"- {wall} {'unknown' if seconds is None else f'{seconds / 60:.0f} min'}"
        f" on {prov.get('hardware', args.hardware)};",
        f"- code version `{prov.get('code_version')}`.",
    ]
    if log:
        lines += ["", "| step | train loss | val loss | val chunk L1 (normalised) |", "|---|---|---|---|"]
        picked = log if len(log) <= 8 else [log[i * (len(log) - 1) // 7] for i in range(8)]
        for r in picked:
            lines.append(
                f"| {r['step']} | {r['train/loss']:.4f} | {r['val/loss']:.4f} | {r['val/chunk_l1']:.4f} |"
            )
    pointer = prov.get("pointer")
    if pointer:
        held, shape = pointer.get("held_out", {}), cfg["pointer"]
        lines += [
            "",
            f"Object pointer (`skills/vla/pointer.py`, {shape['channels']} channels, receptive field "
            f"{1 + 2 * sum(shape['dilations'])} px), trained afterwards by `agentrt train pointer` "
            "on rendered head views, the VLA's weights unchanged:",
            "",
            f"- data {', '.join(f'`{d}`' for d in pointer.get('data', []))}: {pointer.get('pairs')} training "
            f"pairs from {pointer.get('views')} views of {pointer.get('scenes')} scenes "
            f"({100 * pointer.get('rephrased_share', 0):.0f}% of them repeated in other wordings);",
            f"- {pointer.get('steps')} steps at batch {pointer.get('batch')}, "
            f"{pointer.get('train_minutes')} min on the same machine;",
            f"- held-out scenes: best pixel on the named object for {100 * held.get('on_object', 0):.1f}% of "
            f"visible pairs; {100 * held.get('null_right', 0):.1f}% of not-visible pairs not trusted.",
        ]
    lines += ["", "## Evaluation", ""]
    if reports:
        lines += [
            "Each held-out seed sets the skill up with the scripted skills (same set-up for learned",
            "and expert); success is judged by the simulator's facts after the call.",
            "",
            *eval_table(reports),
            "",
            "```",
            *args.eval_command,
            "```",
        ]
    else:
        lines.append("Not evaluated.")
    lines += [
        "",
        "## Limitations",
        "",
        "- When a learned skill has finished is decided by a success detector over the simulator's",
        "  facts (privileged), not by the network.",
        "- Trained and evaluated only in `" + args.scene + "` with its object set and rendering.",
        *[f"- {n}" for n in args.note],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="agentrt ship vla", description=__doc__.splitlines()[0])
    ap.add_argument(
        "run", type=Path, help="artifact base path of the training run (RUN.safetensors, RUN.json)"
    )
    ap.add_argument("--scene", default="kitchen-v0")
    ap.add_argument("--family", required=True, choices=sorted(families()))
    ap.add_argument("--collect-command", required=True)
    ap.add_argument("--train-command", required=True)
    ap.add_argument("--eval", type=Path, action="append", default=[], help="agentrt eval-skill --out JSON")
    ap.add_argument("--eval-command", action="append", default=[], help="the command that wrote each --eval")
    ap.add_argument("--hardware", default="unknown", help="when the artifact predates recorded hardware")
    ap.add_argument("--note", action="append", default=[], help="a limitation to state on the card")
    ap.add_argument("--dest", type=Path, default=CHECKPOINT_DIR)
    args = ap.parse_args(argv)

    try:
        policy = load_policy(args.run)
    except VLAArtifactError as exc:
        print(f"ship vla: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if policy.config.name != args.family:
        print(f"ship vla: {args.run} is a {policy.config.name!r} model, not {args.family!r}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        reports = [json.loads(p.read_text()) for p in args.eval]
    except (OSError, json.JSONDecodeError) as exc:
        print(f"ship vla: cannot read an --eval report: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    weights, meta_path = artifact_paths(args.run)
    name = f"{args.scene}-{args.family}"
    args.dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(weights, args.dest / f"{name}.safetensors")
    shutil.copyfile(meta_path, args.dest / f"{name}.json")
    meta = json.loads(meta_path.read_text())
    n_params = sum(p.numel() for p in policy.model.parameters())
    log = read_log(args.run.with_name(args.run.name + ".log.jsonl"))
    (args.dest / f"{name}.md").write_text(card(name, meta, n_params, log, reports, args))
    print(f"shipped {name}: {args.dest / name}.{{safetensors,json,md}}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
