"""Execute every instruction of the kitchen language suite end to end and report.

Each phrasing in ``evals/phrasings.py`` runs through the whole hierarchy (oracle
describer, symbolic planner, scripted skills, PyBullet) on its seed; the rejected
instructions must exit before anything moves.

    python scripts/bench_phrasings.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from agentrt.run import RunConfig, run_instruction
from evals.phrasings import PHRASINGS, REJECTED, SCENE, SEED


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="agentrt-phrasings-"))
    ok = 0
    print(f"{'instruction':<44} {'status':<17} {'subgoals':>8} {'wall_s':>7}")
    for instruction, _ in PHRASINGS:
        record = run_instruction(RunConfig(instruction=instruction, scene=SCENE, seed=SEED, out=out)).record
        ok += record.success
        print(
            f"{instruction!r:<44} {record.status:<17} {len(record.subgoals):>8} {record.wall_time_s:>7.1f}"
            + ("" if record.success else f"  {record.reason}"),
            flush=True,
        )
    rejected = 0
    for instruction, _ in REJECTED:
        record = run_instruction(RunConfig(instruction=instruction, scene=SCENE, seed=SEED, out=out)).record
        rejected += record.status == "rejected" and record.steps == 0
        print(f"{instruction!r:<44} {record.status:<17} {record.reason}", flush=True)
    print(
        f"\n{ok}/{len(PHRASINGS)} phrasings reached their goal; "
        f"{rejected}/{len(REJECTED)} bad instructions rejected before moving; episodes in {out}"
    )


if __name__ == "__main__":
    main()
