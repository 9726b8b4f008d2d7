"""Guidance: the user's preferences for what the robot should collect, from config.

Default permissive: with no preferences set the rule says nothing. Preferences name
places, objects or keywords; they are checked against the places and objects the
planner grounded the task to, and against the task's words.
"""

from __future__ import annotations

from pydantic import Field

from planners.constitution.analysis import TaskAnalysis, find_terms, normalise
from planners.constitution.base import Rule, RuleKind, Verdict, register_rule


@register_rule
class GuidanceRule(Rule):
    name: str = "user_preferences"
    kind: RuleKind = "guidance"
    description: str = (
        "Keep to the user's preferences: allowed places, forbidden objects and places, preferred tasks."
    )
    allowed_places: tuple[str, ...] = Field(
        default=(), description="place ids/names the robot may use; empty = any"
    )
    forbidden_places: tuple[str, ...] = Field(default=(), description="place ids/names never to use")
    forbidden_objects: tuple[str, ...] = Field(
        default=(), description="object ids, names or categories never to touch"
    )
    prefer: tuple[str, ...] = Field(
        default=(), description="keywords of preferred tasks (e.g. 'fruit', 'dish rack')"
    )
    only_preferred: bool = Field(default=False, description="reject tasks that match no `prefer` keyword")

    def _check(self, task: TaskAnalysis) -> Verdict | None:
        for place in task.goal_places:
            labels = _labels(place.id, place.name, place.category)
            if self.forbidden_places and labels & _labels(*self.forbidden_places):
                return self.reject(f"The user asked the robot not to use the {place.name}", place.id)
            if self.allowed_places and not labels & _labels(*self.allowed_places):
                return self.reject(
                    f"The {place.name} is not among the user's allowed places "
                    f"({', '.join(self.allowed_places)})",
                    place.id,
                )
        for obj in task.goal_objects:
            if self.forbidden_objects and _labels(obj.id, obj.name, obj.category) & _labels(
                *self.forbidden_objects
            ):
                return self.reject(f"The user asked the robot not to touch the {obj.name}", obj.id)
        words = [*self.forbidden_objects, *self.forbidden_places]
        named = find_terms(task.stripped_tokens, tuple(normalise(w) for w in words), None)
        if named:
            return self.reject(f"The user asked the robot to leave the {named[0]} alone", *named)
        if self.prefer:
            hits = self._preferred(task)
            if hits:
                return self.accept(f"Matches the user's preferences ({', '.join(hits)})", *hits)
            if self.only_preferred:
                return self.reject(
                    f"The task matches none of the user's preferences ({', '.join(self.prefer)})",
                    *self.prefer,
                )
        return None

    def _preferred(self, task: TaskAnalysis) -> list[str]:
        grounded = " ".join(f"{o.id} {o.name} {o.category}" for o in task.goal_objects)
        grounded += " " + " ".join(f"{p.id} {p.name} {p.category}" for p in task.goal_places)
        tokens = [*task.stripped_tokens, *normalise(grounded).split()]
        return find_terms(tokens, tuple(normalise(w) for w in self.prefer), None)


def _labels(*names: str) -> set[str]:
    return {normalise(n) for n in names if n}
