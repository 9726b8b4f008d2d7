"""Evaluation: versioned suites, an episode runner, metrics, a Ray-parallel driver and reports."""

__all__: list[str] = []
