"""agentrt: instruction -> scene description -> plan -> skills -> controllers, in PyBullet."""

__version__ = "0.1.0"
__all__ = ["__version__"]
