"""Scripted expert skills (``navigate_to``, ``pick``, ``place``), registered in ``SKILLS``."""

from skills.scripted.navigate import ScriptedNavigate
from skills.scripted.pick import ScriptedPick
from skills.scripted.place import ScriptedPlace

__all__ = ["ScriptedNavigate", "ScriptedPick", "ScriptedPlace"]
