"""Skills: the interface, scripted experts, and (later) learned VLA policies."""

from skills.base import Action, Done, Skill, StepEvent, StepHook

__all__ = ["Action", "Done", "Skill", "StepEvent", "StepHook"]
