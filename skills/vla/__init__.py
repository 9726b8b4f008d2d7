"""Our vision-language-action models: config, tokenizer, networks, policy, artifact and training.

Light on purpose: importing this package imports nothing heavy; use the submodules
(:mod:`skills.vla.artifact` ``load_policy``, :mod:`skills.vla.train` ``train``).
"""

__all__: list[str] = []
