"""Humanoid balance: posture prior, training env, deployed controller and its evaluation."""

__all__: list[str] = []
