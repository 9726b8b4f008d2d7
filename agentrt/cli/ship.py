"""``agentrt ship``: copy a trained model into the shipped checkpoints with a card written from its files.

``ship vla`` (:mod:`skills.vla.ship`) checks the artifact, copies it to ``skills/vla/checkpoints/``
and writes the card from its provenance, training log and ``eval skill`` reports; ``ship
controller`` (:mod:`controllers.ship`) measures the controller against its prior and writes
``controllers/checkpoints/``. Exit codes: :mod:`agentrt.core.exit_codes`.
"""

from __future__ import annotations

import typer

from agentrt.cli.passthrough import mount

app = typer.Typer(no_args_is_help=True, help="Ship a trained model with its model card.")
mount(app, "vla", "skills.vla.ship:main", "Ship a VLA artifact into skills/vla/checkpoints/ with its card.")
mount(app, "controller", "controllers.ship:main", "Evaluate a controller and ship it with its card.")
