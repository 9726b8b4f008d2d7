"""Instruction understanding, step one: normalise the text and detect the intent.

Rule-based templates cover the usual phrasings; when none matches, the sentence
encoder compares the instruction with exemplar sentences of each intent and a generic
"verb object [preposition place]" split fills the slots. Grounding the noun phrases
to scene ids is :mod:`planners.symbolic.grounding`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from agentrt.core.plan import PlanningError
from planners.encoder import SentenceEncoder
from planners.symbolic.lexicon import CAPABILITIES


class Intent(str, Enum):
    """What the instruction asks for."""

    TIDY = "tidy"
    """Put objects (all, or the ones named) where they belong."""
    CLEAR = "clear"
    """Move every object off a place, to its home."""
    PUT = "put"
    """Put objects in/on a place (put, move, bring, take...)."""
    DISCARD = "discard"
    """Put objects in the trash."""
    GOTO = "goto"
    """Drive the base to a place."""
    PICK = "pick"
    """Hold an object."""
    SKILL = "skill"
    """Reach the effects of one skill named by its own instruction template ("wipe the table")."""


@dataclass(frozen=True)
class ParsedInstruction:
    """The intent and its unresolved noun phrases.

    ``objects`` is ``None`` for "tidy up" with no object named; ``how`` says whether a
    template or the encoder fallback recognised the intent.
    """

    text: str
    intent: Intent
    objects: str | None = None
    place: str | None = None
    how: str = "template"
    skill: str | None = None
    slots: tuple[tuple[str, str], ...] = ()


_POLITE_PREFIX = re.compile(
    r"^(?:please|pls|kindly|hey|hi|hello|ok|okay|so|now|robot|"
    r"(?:could|can|would|will) you(?: please)?(?: mind)?|would you mind|do you mind|"
    r"i (?:want|need|would like|d like) you to|i'd like you to|go ahead and|"
    r"try to|let's|lets|you should)\b\s*"
)
_POLITE_SUFFIX = re.compile(
    r"\s*\b(?:please|thanks|thank you|for me|now|right now|if you (?:can|could|would|don't mind|dont mind)|"
    r"(?:could|would|will|can) you|ok|okay)$"
)
_GERUNDS = {
    "tidying": "tidy",
    "cleaning": "clean",
    "putting": "put",
    "picking": "pick",
    "going": "go",
    "bringing": "bring",
    "throwing": "throw",
    "clearing": "clear",
    "moving": "move",
    "taking": "take",
    "grabbing": "grab",
    "placing": "place",
    "getting": "get",
    "navigating": "navigate",
    "driving": "drive",
    "carrying": "carry",
    "fetching": "fetch",
    "discarding": "discard",
    "emptying": "empty",
}

PREP = (
    r"(?:on top of|inside of|in to|on to|into|onto|inside|in|on|to|at|towards|toward|over to|next to|beside)"
)
_PUT_VERBS = (
    r"(?:put|place|move|set|drop|stick|leave|lay|stash|store|stack|pop|throw|toss|chuck|bring|take|carry|fetch|"
    r"deliver|transport|get|return|transfer|relocate|slide|push|shift|dump)"
)
_TEMPLATES: tuple[tuple[Intent, re.Pattern[str]], ...] = tuple(
    (intent, re.compile(pattern))
    for intent, pattern in (
        (Intent.DISCARD, r"^(?:throw|toss|chuck|fling) (?:away|out) (?P<obj>.+)$"),
        (Intent.DISCARD, r"^(?:throw|toss|chuck|fling) (?P<obj>.+?) (?:away|out)$"),
        (
            Intent.DISCARD,
            r"^(?:discard|bin|trash|dispose of|get rid of|scrap|junk|throw out|throw away) (?P<obj>.+)$",
        ),
        (
            Intent.CLEAR,
            r"^(?:remove|take|get|move|put away|clear) (?:everything|all the things|all objects|"
            r"all the objects|all items|all the stuff|all|things|stuff) (?:off of|off|from) (?P<place>.+)$",
        ),
        (
            Intent.CLEAR,
            r"^(?:clear|empty|clean off|clear off|clear up|declutter)(?: off| up)? "
            r"(?P<place>.+?)(?: off| up)?$",
        ),
        (Intent.TIDY, r"^(?:put|place|move|bring|get|tidy|set|return) (?:away|back) (?P<obj>.+)$"),
        (
            Intent.TIDY,
            r"^(?:put|place|move|tidy|set|return) (?P<obj>.+?) (?:away|back)"
            r"(?: where (?:it|they) (?:belongs?|goes|go)| in (?:its|their) places?)?$",
        ),
        (
            Intent.TIDY,
            r"^(?:put|place|move|return) (?P<obj>.+?) (?:back )?(?:where (?:it|they) (?:belongs?|goes|go)|"
            r"(?:to|in|into) (?:its|their) (?:home|homes|place|places|spot|spots))$",
        ),
        (Intent.TIDY, r"^(?:return) (?P<obj>.+)$"),
        (
            Intent.TIDY,
            r"^(?:tidy|clean|straighten|neaten|sort|organi[sz]e|declutter)(?: up| away| out)?"
            r"(?: (?P<obj>.+?))?(?: up| away)?$",
        ),
        (
            Intent.GOTO,
            r"^(?:go|navigate|move|drive|head|walk|travel|roll|come|get|return|proceed)"
            r"(?: over| back| up| yourself)?(?: to| towards| toward| up to| over to) (?P<place>.+)$",
        ),
        (Intent.GOTO, r"^(?:approach|visit) (?P<place>.+)$"),
        (Intent.PUT, rf"^{_PUT_VERBS} (?P<obj>.+?) (?:back |down |over |up )?{PREP} (?P<place>.+)$"),
        (Intent.DISCARD, r"^(?:throw|toss|chuck|fling|bin|trash|dump|ditch) (?P<obj>.+)$"),
        (Intent.PICK, r"^(?:bring|get|fetch|hand|give|pass) me (?P<obj>.+)$"),
        (
            Intent.PICK,
            r"^(?:pick up|pick|grab|get|take|lift|grasp|hold|fetch|collect|retrieve|take hold of|"
            r"lift up|snatch)(?: up)? (?P<obj>.+?)(?: up)?$",
        ),
    )
)
_MESS_ONLY = re.compile(
    r"^(?:(?:tidy|clean|straighten|neaten|declutter)(?: up)?|"
    r"put (?:it all |things |stuff |everything )?away)$"
)

VERB_EXEMPLARS: dict[Intent, tuple[str, ...]] = {
    Intent.TIDY: ("tidy up", "clean up", "put away", "organize", "straighten up", "neaten"),
    Intent.CLEAR: ("clear", "clear off", "empty"),
    Intent.PUT: ("put", "move", "place", "bring", "carry", "take", "deliver"),
    Intent.DISCARD: ("throw away", "discard", "get rid of", "dispose of"),
    Intent.GOTO: ("go to", "navigate to", "drive to", "move to"),
    Intent.PICK: ("pick up", "grab", "hold", "lift"),
}
"""Verb phrases per intent for the encoder fallback (compared with the instruction's verb)."""

_GENERIC = re.compile(
    rf"^(?P<verb>\S+)(?: (?:up|away|out|off|over|back|down))?(?: (?P<obj>.*?))?(?: {PREP} (?P<place>.+))?$"
)


def normalise(text: str) -> str:
    """Lower case, punctuation and politeness stripped: ``"Could you tidy up, please?"`` -> ``"tidy up"``."""
    out = text.lower().replace("’", "'")
    out = re.sub(r"[^\w\s'-]", " ", out)
    out = re.sub(r"\s+", " ", out).strip()
    previous = None
    while previous != out:
        previous = out
        out = _POLITE_PREFIX.sub("", out).strip()
        out = _POLITE_SUFFIX.sub("", out).strip()
    words = out.split(" ")
    if words and words[0] in _GERUNDS:
        words[0] = _GERUNDS[words[0]]
    return " ".join(words).strip()


_CLAUSE_SPLIT = re.compile(
    r"\s*(?:,\s*)?(?:\band then\b|\bthen\b|\bafterwards\b|\bafter that\b|;)\s*"
    r"|\s+and\s+(?=(?:go|navigate|drive|put|place|move|bring|take|carry|pick|grab|throw|discard|clear|tidy|"
    r"clean|fetch|get|set|drop)\b)"
)


def split_clauses(text: str) -> list[str]:
    """``"put the mug in the sink and then go to the shelf"`` -> the two instructions."""
    norm = normalise(text)
    return [c for c in (normalise(part) for part in _CLAUSE_SPLIT.split(norm)) if c]


def skill_pattern(template: str) -> re.Pattern[str]:
    """A regex from a skill's instruction template.

    ``"wipe the {receptacle}"`` -> ``^wipe (?:the )?(?P<receptacle>.+?)$``.
    """
    words = re.sub(r"[^\w\s{}'-]", " ", template.lower().replace("{", " {").replace("}", "} ")).split()
    parts = []
    for word in words:
        slot = re.fullmatch(r"\{(\w+)\}", word)
        if slot:
            parts.append(f"(?P<{slot.group(1)}>.+?)")
        elif word in ("the", "a", "an"):
            parts.append(f"(?:{word} )?")
            continue
        else:
            parts.append(re.escape(word))
        parts.append(" ")
    return re.compile("^" + "".join(parts).rstrip(" ") + "$")


def parse_instruction(
    text: str,
    encoder: SentenceEncoder | None = None,
    intent_threshold: float = 0.68,
    skill_templates: Mapping[str, str] | None = None,
) -> ParsedInstruction:
    """Detect the intent of ``text``; raises :class:`PlanningError` if there is none.

    Order: built-in templates, then the skills' own instruction templates
    (``skill_templates`` maps skill name -> template), then the encoder fallback.
    """
    norm = normalise(text)
    if not norm:
        raise PlanningError("empty instruction; try e.g. 'tidy up' or 'put the red mug in the dish rack'")
    if _MESS_ONLY.match(norm):
        return ParsedInstruction(norm, Intent.TIDY)
    for intent, pattern in _TEMPLATES:
        match = pattern.match(norm)
        if match is not None:
            groups = match.groupdict()
            return ParsedInstruction(norm, intent, groups.get("obj"), groups.get("place"))
    for name, template in (skill_templates or {}).items():
        match = skill_pattern(template).match(norm)
        if match is not None:
            slots = tuple((k, v) for k, v in match.groupdict().items() if v)
            return ParsedInstruction(
                norm, Intent.SKILL, skill=name, slots=slots, how=f"skill template of {name}"
            )
    return _fallback(norm, encoder, intent_threshold)


def _fallback(norm: str, encoder: SentenceEncoder | None, threshold: float) -> ParsedInstruction:
    """Match the instruction's verb to the intents' verbs by embedding similarity."""
    unknown = f"I don't know how to '{norm}'; I can: {CAPABILITIES}"
    match = _GENERIC.match(norm)
    if encoder is None or match is None:
        raise PlanningError(unknown)
    verb = norm[: match.start("obj")].strip() if match.group("obj") else match.group("verb")
    labels = [(intent, v) for intent, verbs in VERB_EXEMPLARS.items() for v in verbs]
    sims = encoder.similarity([verb], [v for _, v in labels])[0]
    best = int(sims.argmax())
    if float(sims[best]) < threshold:
        raise PlanningError(unknown)
    intent = labels[best][0]
    obj, place = match.group("obj") or None, match.group("place") or None
    if intent in (Intent.GOTO, Intent.CLEAR) and place is None:
        obj, place = None, obj
    if intent is Intent.PUT and (obj is None or place is None):
        raise PlanningError(
            f"'{norm}' sounds like putting something somewhere, but I could not tell what and where"
        )
    if intent in (Intent.DISCARD, Intent.PICK) and obj is None:
        raise PlanningError(f"'{norm}': which object?")
    if intent in (Intent.GOTO, Intent.CLEAR) and place is None:
        raise PlanningError(f"'{norm}': which place?")
    how = f"encoder: '{verb}' read as '{labels[best][1]}' (similarity {float(sims[best]):.2f})"
    return ParsedInstruction(norm, intent, obj, place, how=how)
