"""Rewrite the golden outputs of the committed checkpoints.

Usage (from the repository root)::

    python -m tests.artifacts.regenerate                 # every golden; render missing inputs
    python -m tests.artifacts.regenerate --inputs        # re-render every stored input too
    python -m tests.artifacts.regenerate --kind vla candidates/sincos/kitchen-v0-navigation  # one

Run it when a checkpoint is added (its input is rendered from the simulator and its golden
written) or deliberately changed, or when a code change is meant to change what a checkpoint
does; then look at ``git diff --stat tests/artifacts`` and say why in the commit. Goldens of
checkpoints that no longer exist are removed. Inputs are kept unless ``--inputs`` is given, so
a golden diff shows a change of behaviour, not of the simulator's rendering.
"""

from __future__ import annotations

import argparse
import shutil
from types import ModuleType

from tests.artifacts import controller_goldens, vla_goldens
from tests.artifacts.goldens import GOLDEN_FILE, INPUT_FILE, Golden, golden_dir, stored_names

KINDS: dict[str, ModuleType] = {
    vla_goldens.KIND_DIR: vla_goldens,
    controller_goldens.KIND_DIR: controller_goldens,
}


def regenerate(kind: str, names: list[str] | None = None, *, inputs: bool = False) -> list[str]:
    """Write the goldens of ``kind``'s checkpoints ``names`` (default: all); returns the names written."""
    module = KINDS[kind]
    found = module.checkpoints()
    unknown = sorted(set(names or []) - set(found))
    if unknown:
        raise SystemExit(f"no {kind} checkpoint named {unknown}; committed: {', '.join(found)}")
    if not names:
        for stale in sorted(set(stored_names(kind)) - set(found)):
            shutil.rmtree(golden_dir(kind, stale))
            print(f"removed {golden_dir(kind, stale)} (no such checkpoint)")
    cache: dict = {}
    for name in names or found:
        folder = golden_dir(kind, name)
        input_path = folder / INPUT_FILE
        if inputs or not input_path.is_file():
            module.render_inputs(name, cache).write(input_path)
        stored = Golden.read(input_path)
        outputs = module.run(module.load(name, stored), stored)
        Golden(outputs.tensors, module.golden_metadata(name)).write(folder / GOLDEN_FILE)
        sizes = ", ".join(
            f"{p.name} {p.stat().st_size // 1024} KiB" for p in (input_path, folder / GOLDEN_FILE)
        )
        print(f"wrote {folder} ({sizes})")
    return list(names or found)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.artifacts.regenerate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("names", nargs="*", help="checkpoint names (relative path, no suffix); default all")
    parser.add_argument("--kind", choices=sorted(KINDS), help="only this kind (required with names)")
    parser.add_argument("--inputs", action="store_true", help="re-render the stored inputs too")
    args = parser.parse_args(argv)
    if args.names and args.kind is None:
        parser.error("give --kind with checkpoint names")
    for kind in [args.kind] if args.kind else sorted(KINDS):
        regenerate(kind, args.names or None, inputs=args.inputs)


if __name__ == "__main__":
    main()
