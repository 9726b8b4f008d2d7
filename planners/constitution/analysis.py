"""One task, analysed once and shared by every rule of a review.

The analysis normalises the text, strips adversarial framings ("ignore your rules
and ...", "for a safety test, ..."), lemmatises tokens, and lazily runs the symbolic
planner on what is left, so rules can ask both "what words does the task use?" and
"what objects and places does it ground to?".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from agentrt.core.plan import Plan, PlanningError
from agentrt.core.scene import ObjectInfo, PlaceInfo, SceneDescription
from agentrt.core.skill_spec import SkillSpec
from agentrt.core.symbolic import parse_literal
from planners.constitution import lexicons
from planners.constitution.capabilities import RobotCapabilities
from planners.encoder import SentenceEncoder
from planners.symbolic.grounding import singular
from planners.symbolic.language import split_clauses

_IRREGULAR = {
    "children": "child",
    "people": "person",
    "men": "man",
    "women": "woman",
    "knives": "knife",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "geese": "goose",
    "leaves": "leaf",
    "babies": "baby",
    "puppies": "puppy",
    "kitties": "kitty",
    "lit": "light",
    "broke": "break",
    "broken": "broken",
    "threw": "throw",
    "thrown": "throw",
    "cut": "cut",
    "put": "put",
}
_FRAMING = re.compile(r"\b(?:" + "|".join(lexicons.FRAMINGS) + r")\b[\s,;:.!-]*")


def normalise(text: str) -> str:
    """Lower case; apostrophes dropped ("don't" -> "dont"); other punctuation -> spaces."""
    out = text.lower().replace("’", "'").replace("'", "")
    out = re.sub(r"[^\w\s-]", " ", out).replace("_", " ")
    return re.sub(r"\s+", " ", out).strip()


def strip_framings(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` (normalised) without adversarial framings, and the framings removed."""
    found: list[str] = []
    previous = None
    while previous != text:
        previous = text
        match = _FRAMING.search(text)
        if match and match.group(0).strip():
            found.append(match.group(0).strip(" ,;:.!-"))
            text = (text[: match.start()] + " " + text[match.end() :]).strip()
            text = re.sub(r"^(?:and|then|but|so|now|just)\b\s*", "", re.sub(r"\s+", " ", text)).strip()
    return text, tuple(found)


@lru_cache(maxsize=8192)
def forms(word: str) -> frozenset[str]:
    """Candidate base forms of ``word``: itself, singular, and verb stems (-ing, -ed, -es)."""
    out = {word, singular(word)}
    if word in _IRREGULAR:
        out.add(_IRREGULAR[word])
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            out |= {stem, stem + "e"}
            if len(stem) > 2 and stem[-1] == stem[-2]:
                out.add(stem[:-1])
    if word.endswith("es") and len(word) > 4:
        out.add(word[:-2])
    if word.endswith("s") and len(word) > 3:
        out.add(word[:-1])
    return frozenset(out)


@lru_cache(maxsize=256)
def _term_words(term: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset({w, singular(w)}) for w in normalise(term).split())


def find_terms(
    tokens: Sequence[str], terms: Iterable[str], fuzzy_vocab: frozenset[str] = frozenset()
) -> list[str]:
    """Terms of ``terms`` that occur in ``tokens`` (lemmatised; multi-word terms contiguous).

    Single-word terms of five letters or more also match a token within one or two typos
    (difflib ratio >= 0.8), unless that token is a known word (``fuzzy_vocab``).
    """
    token_forms = [forms(t) for t in tokens]
    hits: list[str] = []
    long_words = {}
    for term in terms:
        words = _term_words(term)
        if not words:
            continue
        n = len(words)
        if any(all(words[k] & token_forms[i + k] for k in range(n)) for i in range(len(tokens) - n + 1)):
            hits.append(term)
        elif n == 1 and len(term) >= 5 and term.isalpha():
            long_words[term] = term
    if fuzzy_vocab is not None and long_words:
        for token, tf in zip(tokens, token_forms, strict=True):
            if len(token) < 5 or not token.isalpha() or tf & fuzzy_vocab:
                continue
            same_initial = [w for w in long_words if w[0] == token[0]]  # typos rarely hit the first letter
            close = difflib.get_close_matches(token, same_initial, n=1, cutoff=0.8)
            if close and close[0] not in hits:
                hits.append(close[0])
    return hits


@dataclass(frozen=True)
class PlanningOutcome:
    """The symbolic planner's reading of the task: a plan, or the reason it has none."""

    plan: Plan | None
    error: str | None


class TaskAnalysis:
    """A task prepared for the rules (see module docstring).

    Args:
        task: the raw instruction.
        scene: the scene description it is to be done in.
        capabilities: the robot's capabilities (default: :meth:`RobotCapabilities.for_scene`).
        skills: skill specs the planner may use (default: none, so planning fails with a reason).
        encoder: sentence encoder for paraphrases and the planner (``None``: exact words only).
        planner: a planner instance to share; default a :class:`SymbolicPlanner` on ``encoder``.
    """

    def __init__(
        self,
        task: str,
        scene: SceneDescription,
        capabilities: RobotCapabilities | None = None,
        skills: Sequence[SkillSpec] = (),
        encoder: SentenceEncoder | None = None,
        planner: object | None = None,
    ) -> None:
        if scene is None:
            raise ValueError("a scene description is needed to review a task")
        self.raw = task
        self.scene = scene
        self.skills = tuple(skills)
        self.capabilities = capabilities or RobotCapabilities.for_scene(scene, self.skills)
        self.encoder = encoder
        self._planner = planner
        self.text = normalise(task)
        self.stripped, self.framings = strip_framings(self.text)
        self.tokens = tuple(self.text.split())
        self.stripped_tokens = tuple(self.stripped.split())
        self.clauses = tuple(split_clauses(self.stripped)) if self.stripped else ()

    # ----------------------------------------------------------------- words
    def terms(self, terms: Iterable[str], *, stripped: bool = False, fuzzy: bool = True) -> list[str]:
        """Which of ``terms`` the task uses (on the text without framings if ``stripped``)."""
        tokens = self.stripped_tokens if stripped else self.tokens
        return find_terms(tokens, tuple(terms), self.known_words if fuzzy else None)

    def pattern(self, regex: str, *, stripped: bool = False) -> list[str]:
        """Matches of ``regex`` in the normalised text."""
        return [m.group(0) for m in re.finditer(regex, self.stripped if stripped else self.text)]

    @cached_property
    def known_words(self) -> frozenset[str]:
        """Words never corrected as typos: scene labels, planner and constitution vocabulary."""
        return known_vocabulary(self.scene)

    def paraphrases(self, exemplars: Sequence[str], threshold: float) -> list[str]:
        """Unknown noun phrases of the task close (cosine >= ``threshold``) to an exemplar."""
        if self.encoder is None or not exemplars:
            return []
        spans = self.spans()
        if not spans:
            return []
        sims = self.encoder.similarity(spans, list(exemplars))
        out = []
        for span, row in zip(spans, sims, strict=True):
            best = int(row.argmax())
            if float(row[best]) >= threshold:
                out.append(f"'{span}' ~ '{exemplars[best]}' ({float(row[best]):.2f})")
        return out

    def spans(self) -> list[str]:
        """1-3 word phrases of the framing-free text that are not stopwords or known scene words."""
        words = self.stripped_tokens
        known = self.known_words
        out: list[str] = []
        for n in (1, 2, 3):
            for i in range(len(words) - n + 1):
                span = words[i : i + n]
                if span[0] in lexicons.STOPWORDS or span[-1] in lexicons.STOPWORDS:
                    continue
                if all(forms(w) & known for w in span):
                    continue
                out.append(" ".join(span))
        return list(dict.fromkeys(out))

    # -------------------------------------------------------------- planning
    @cached_property
    def planning(self) -> PlanningOutcome:
        """The planner's plan for the framing-free task, or its one-line reason."""
        if not self.stripped:
            return PlanningOutcome(None, "the task asks for nothing the robot can do")
        planner = self._planner
        if planner is None:
            from planners.symbolic import SymbolicPlanner

            planner = SymbolicPlanner({"use_encoder": self.encoder is not None}, encoder=self.encoder)
        try:
            return PlanningOutcome(planner.plan(self.stripped, self.scene, self.skills), None)
        except PlanningError as exc:
            return PlanningOutcome(None, exc.reason)

    @cached_property
    def goal_objects(self) -> tuple[ObjectInfo, ...]:
        """Scene objects the planner's goal or plan involves (empty when it has no plan)."""
        ids = self._goal_terms()
        return tuple(o for o in self.scene.objects if o.id in ids)

    @cached_property
    def goal_places(self) -> tuple[PlaceInfo, ...]:
        """Scene places the planner's goal or plan involves."""
        ids = self._goal_terms()
        return tuple(p for p in self.scene.places if p.id in ids)

    def _goal_terms(self) -> set[str]:
        plan = self.planning.plan
        if plan is None:
            return set()
        ids: set[str] = set()
        for text in plan.goal:
            ids.update(parse_literal(text).atom[1:])
        for sub in plan.subgoals:
            ids.update(str(v) for v in sub.args.values())
        return ids


@lru_cache(maxsize=64)
def _scene_words(labels: tuple[str, ...]) -> frozenset[str]:
    from planners.symbolic import lexicon as planner_lexicon

    words = set(lexicons.STOPWORDS)
    for label in labels:
        words.update(normalise(label).split())
    for synonyms in planner_lexicon.OBJECT_SYNONYMS.values():
        for s in synonyms:
            words.update(s.split())
    words.update(w for group in planner_lexicon.GROUP_SYNONYMS.values() for s in group for w in s.split())
    words.update(planner_lexicon.COLOURS | planner_lexicon.ALL_OBJECTS_WORDS | planner_lexicon.ROOM_WORDS)
    words.update(w for t in planner_lexicon.TRASH_WORDS for w in t.split())
    words.update(COMMON_WORDS)
    words.update(_lexicon_words())
    return frozenset(words)


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    """Every word of the constitution's own lexicons (a hazard word is never a typo of another)."""
    out: set[str] = set()
    for value in vars(lexicons).values():
        items = value.keys() if isinstance(value, dict) else value if isinstance(value, tuple) else ()
        for item in items:
            if isinstance(item, str) and "(" not in item:
                out.update(normalise(item).split())
    for verbs, words in lexicons.CAPABILITY_VERBS.values():
        for item in (*verbs, *words):
            out.update(normalise(item).split())
    return frozenset(out)


def known_vocabulary(scene: SceneDescription) -> frozenset[str]:
    """Words of the scene (names, categories, colours, places, synonyms) and common task words."""
    labels = [o.name for o in scene.objects] + [o.category for o in scene.objects]
    labels += (
        [p.name for p in scene.places] + [p.category for p in scene.places] + [p.id for p in scene.places]
    )
    labels += [s for p in scene.places for s in p.synonyms]
    return _scene_words(tuple(sorted(set(labels))))


COMMON_WORDS: frozenset[str] = frozenset(
    "put place move set drop leave lay stash store bring take carry fetch deliver get return transfer "
    "relocate slide shift go navigate drive head walk travel approach visit pick grab lift hold grasp "
    "collect retrieve tidy clean straighten neaten sort organise organize declutter clear empty throw "
    "toss discard trash dispose rid where belong belongs goes inside next beside near top side left right "
    "front behind then after before first second again also too very quickly slowly carefully gently "
    "thing things stuff object item items kitchen room robot hand give pass want need like would should "
    "could can will let lets make sure keep while until when other another others mother power "
    "place places plate plates shelf shelves table tables touch touching".split()
)
"""Task words that are never typos of a hazard word."""
