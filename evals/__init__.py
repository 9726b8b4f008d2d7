"""Evaluation suites and metrics (filled by the evaluation issue)."""

__all__: list[str] = []
