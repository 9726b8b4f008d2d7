"""Ground a VLM's scene report in what the robot tracks: match, never invent.

Each reported object is matched to a tracked object of the same category (compared as
lower-case words, so "cereal box" matches ``cereal_box``) and, when the report gives
one, the same colour; ties go to the candidate whose tracked place agrees with the
reported one. A report that matches no tracked object (or only ones already matched),
or names a place not on the map, is returned as an ungrounded note.
"""

from __future__ import annotations

from agentrt.core.scene import ObjectInfo, SceneDescription
from planners.vlm.schema import SceneReport, SeenObject


def ground(report: SceneReport, known: SceneDescription) -> tuple[SceneDescription, list[str]]:
    """The scene as the VLM saw it, and a note for each reported thing that could not be grounded."""
    places = {p.id for p in known.places}
    taken: set[str] = set()
    objects: list[ObjectInfo] = []
    notes: list[str] = []
    for seen in report.objects:
        label = _label(seen)
        if seen.place is not None and seen.place not in places:
            notes.append(f"{label} on {_clip(seen.place)!r} (no such place on the map)")
            continue
        match = _match(seen, known, taken)
        if match is None:
            notes.append(f"{label} (no tracked object matches)")
            continue
        taken.add(match.id)
        held = match.id == known.robot.holding
        objects.append(match.model_copy(update={"location": None if held else seen.place, "held": held}))
    holding = known.robot.holding
    if holding is not None and holding not in taken:  # proprioception: the gripper knows what it holds
        objects.append(known.object(holding).model_copy(update={"location": None, "held": True}))
    text = " ".join(report.text.split())[:500]
    if notes:
        text += " Seen but not grounded (not used for planning): " + "; ".join(notes) + "."
    order = {o.id: i for i, o in enumerate(known.objects)}
    objects.sort(key=lambda o: order[o.id])
    scene = known.model_copy(update={"objects": objects, "text": text.strip(), "source": "vlm"})
    return scene, notes


def _match(seen: SeenObject, known: SceneDescription, taken: set[str]) -> ObjectInfo | None:
    category = _words(seen.category)
    colour = seen.colour.strip().lower()
    candidates = [
        o
        for o in known.objects
        if o.id not in taken
        and (_words(o.category) == category or _words(o.category) <= _words(seen.name))
        and (not colour or o.colour.lower() == colour)
    ]
    if len(candidates) > 1:
        same_place = [o for o in candidates if o.location == seen.place]
        candidates = same_place or candidates
    return candidates[0] if candidates else None


def _words(text: str) -> set[str]:
    return set(text.lower().replace("_", " ").split())


def _label(seen: SeenObject) -> str:
    return repr(_clip(seen.name or f"{seen.colour} {seen.category}".strip()))


def _clip(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
