"""``agentrt vla``: tools for the learned skills' data and models beside training.

``demos`` records scripted-expert demonstrations from the evaluation's start states, ``dagger``
one DAgger iteration (the learned skill drives, the expert labels), ``grounding-crops`` renders
labelled head crops for ``train vla --grounding``, ``settings`` changes an artifact's inference
settings, ``calibrate`` calibrates its depth goal (on training seeds, from simulator truth).
Exit codes: :mod:`agentrt.core.exit_codes`.
"""

from __future__ import annotations

import typer

from agentrt.cli.passthrough import mount

app = typer.Typer(no_args_is_help=True, help="Data and model tools for the learned (VLA) skills.")
mount(
    app,
    "demos",
    "agentrt.collect.demos:main",
    "Record scripted-expert demonstrations of pick, place, navigate_to.",
)
mount(
    app,
    "dagger",
    "agentrt.collect.dagger:main",
    "One DAgger iteration: the learned skill drives, the expert labels.",
)
mount(
    app,
    "grounding-crops",
    "skills.vla.grounding_crops:main",
    "Render labelled head crops for train vla --grounding.",
)
mount(
    app,
    "settings",
    "skills.vla.settings:main",
    "Change an artifact's inference-time settings, no retraining.",
)
mount(
    app,
    "calibrate",
    "skills.vla.calibration:main",
    "Calibrate an artifact's depth goal on training seeds (reads the simulator).",
)
