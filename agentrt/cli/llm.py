"""``agentrt llm``: the embedded local language model (:mod:`planners.llm.embedded`).

``serve`` keeps the packaged Qwen2.5-Coder-1.5B on a loopback server in the foreground, so that
``collect`` and ``eval`` workers share one (``--base-url http://127.0.0.1:PORT/v1 --model
qwen2.5-coder-1.5b-instruct``); a lone ``run --planner llm`` starts its own. Exit codes:
:mod:`agentrt.core.exit_codes` (2: the ``llm-local`` extra is not installed).
"""

from __future__ import annotations

import typer

from agentrt.cli.passthrough import mount

app = typer.Typer(no_args_is_help=True, help="The embedded local language model.")
mount(app, "serve", "planners.llm.embedded:main", "Serve the embedded model on 127.0.0.1 until Ctrl-C.")
