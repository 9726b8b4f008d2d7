"""Instruction understanding, step two: noun phrases -> scene objects and places.

Exact matches against the scene's own words (names, categories, colours, place
synonyms) and the built-in :mod:`planners.symbolic.lexicon` come first; when nothing matches
exactly, the sentence encoder compares the phrase with every label by cosine
similarity and accepts the best one above a threshold. Failures raise
:class:`PlanningError` with a reason that names what the scene does have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentrt.core.plan import PlanningError
from agentrt.core.scene import ObjectInfo, PlaceInfo, SceneDescription
from planners.encoder import SentenceEncoder
from planners.symbolic.lexicon import (
    ALL_OBJECTS_WORDS,
    COLOURS,
    DETERMINERS,
    GROUP_SYNONYMS,
    GROUPS,
    OBJECT_SYNONYMS,
    PLURAL_MARKERS,
    TRASH_WORDS,
)


@dataclass(frozen=True)
class Selection:
    """Objects a phrase refers to; ``plural`` when the phrase asked for all of them."""

    objects: tuple[ObjectInfo, ...]
    plural: bool
    phrase: str


def _label(text: str) -> str:
    return text.replace("_", " ").strip().lower()


def singular(word: str) -> str:
    """Crude English singular: dishes -> dish, berries -> berry, mugs -> mug, glass -> glass."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("ves") and len(word) > 4:
        return word[:-3] + "f"
    if word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def _singular_phrase(phrase: str) -> str:
    words = phrase.split()
    return " ".join([*words[:-1], singular(words[-1])]) if words else phrase


INDEFINITE = frozenset({"a", "an", "any", "one"})


def strip_determiners(phrase: str) -> tuple[str, bool]:
    """Drop articles and quantifiers; return the rest and whether "all"/"every"/... was said."""
    words = re.sub(r"[^\w\s'-]", " ", phrase.lower()).split()
    plural = False
    while words and (words[0] in DETERMINERS or words[0] in PLURAL_MARKERS):
        plural = plural or words[0] in PLURAL_MARKERS
        if words[0] == "everything" and len(words) == 1:
            break
        words.pop(0)
    return " ".join(words), plural


class Grounder:
    """Resolves noun phrases against one scene description.

    Args:
        scene: the scene whose objects and places are the candidates.
        encoder: sentence encoder for inexact matches (``None``: exact matches only).
        object_threshold: minimum cosine similarity to accept an object category.
        place_threshold: minimum cosine similarity to accept a place.
        margin: candidates within this similarity of the best count as tied.
    """

    def __init__(
        self,
        scene: SceneDescription,
        encoder: SentenceEncoder | None,
        object_threshold: float = 0.65,
        place_threshold: float = 0.65,
        margin: float = 0.03,
    ) -> None:
        self.scene = scene
        self.encoder = encoder
        self.object_threshold = object_threshold
        self.place_threshold = place_threshold
        self.margin = margin
        self.categories = list(dict.fromkeys(obj.category for obj in scene.objects))
        self.colours = {obj.colour.lower() for obj in scene.objects} | COLOURS
        self._category_labels = {cat: self._labels_of_category(cat) for cat in self.categories}
        self._group_labels = self._groups_present()
        self._place_labels = {p.id: self._labels_of_place(p) for p in scene.places}

    # ------------------------------------------------------------------ objects
    def objects(self, phrase: str) -> Selection:
        """Objects named by ``phrase`` ("the red mug", "all the fruit", "the mug and the apple")."""
        text, plural = strip_determiners(phrase)
        if not text:
            raise PlanningError(f"'{phrase}' names no object; objects here: {self._object_names()}")
        parts = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", text) if p.strip()]
        if len(parts) > 1:
            chosen: dict[str, ObjectInfo] = {}
            for part in parts:
                chosen.update((o.id, o) for o in self.objects(part).objects)
            return Selection(tuple(chosen.values()), True, phrase)
        if text in ALL_OBJECTS_WORDS:
            return Selection(tuple(self.scene.objects), True, phrase)
        located = re.match(r"^(.+?) (?:from|on|in|off|at|inside|on top of) (?:the )?(.+)$", text)
        if located and self._place_exact(located.group(2)):
            inner = self.objects(located.group(1))
            where = self.place(located.group(2))
            objs = tuple(o for o in inner.objects if o.location == where.id)
            if not objs:
                raise PlanningError(f"there is no {located.group(1)} in the {where.name}")
            return self._number(Selection(objs, inner.plural or plural, phrase), phrase)
        selection = self._select(text, plural, phrase)
        first = phrase.lower().split()[0] if phrase.split() else ""
        if first in INDEFINITE and selection.objects:
            return Selection(selection.objects[:1], False, phrase)  # "a mug": any one will do
        return self._number(selection, phrase)

    def _select(self, text: str, plural: bool, phrase: str) -> Selection:
        words = text.split()
        colours = [w for w in words[:-1] if w in self.colours]
        head = " ".join(w for i, w in enumerate(words) if not (i < len(words) - 1 and w in self.colours))
        categories, group_or_plural = self._categories(head)
        if not categories:
            if self._place_candidates(text):
                raise PlanningError(f"'{text}' is a place, not an object you can pick up")
            raise PlanningError(
                f"no object matching '{text}' in {self.scene.scene}; objects here: {self._object_names()}"
            )
        objs = [o for o in self.scene.objects if o.category in categories]
        if colours:
            objs = [
                o for o in objs if all(c == o.colour.lower() or c in o.name.lower().split() for c in colours)
            ]
            if not objs:
                same = [o.name for o in self.scene.objects if o.category in categories]
                raise PlanningError(
                    f"no object matching '{text}' in {self.scene.scene}; {head}s here: {', '.join(same)}"
                )
        return Selection(tuple(objs), plural or group_or_plural, phrase)

    def _number(self, selection: Selection, phrase: str) -> Selection:
        if not selection.plural and len(selection.objects) > 1:
            raise PlanningError(f"'{phrase}' is ambiguous: {self._names(selection.objects)}")
        return selection

    def _categories(self, head: str) -> tuple[set[str], bool]:
        """Scene categories a head noun names, and whether it was a group or plural."""
        head_singular = _singular_phrase(head)
        for form in dict.fromkeys((head, head_singular)):
            exact = {cat for cat, labels in self._category_labels.items() if form in labels}
            if exact:
                return exact, form != head
            group = {cat for labels, cats in self._group_labels if form in labels for cat in cats}
            if group:
                return group, True
        if self.encoder is None:
            return set(), False
        keys = [(cat, label) for cat, labels in self._category_labels.items() for label in labels]
        keys += [(cats, label) for labels, cats in self._group_labels for label in labels]
        sims = self.encoder.similarity([head], [label for _, label in keys])[0]
        best = float(sims.max()) if len(sims) else 0.0
        if best < self.object_threshold:
            return set(), False
        chosen: set[str] = set()
        is_group = False
        for (target, _), sim in zip(keys, sims, strict=False):
            if sim >= best - self.margin:
                if isinstance(target, frozenset):
                    chosen |= target
                    is_group = True
                else:
                    chosen.add(target)
        return chosen, is_group or head != head_singular

    def _labels_of_category(self, category: str) -> set[str]:
        labels = {_label(category), *(_label(s) for s in OBJECT_SYNONYMS.get(category, ()))}
        labels |= {_label(o.name) for o in self.scene.objects if o.category == category}
        return labels

    def _groups_present(self) -> list[tuple[set[str], frozenset[str]]]:
        out = []
        for group, members in GROUPS.items():
            present = frozenset(c for c in self.categories if c in members)
            if present:
                out.append(({group, *GROUP_SYNONYMS.get(group, ())}, present))
        return out

    # ------------------------------------------------------------------- places
    def place(self, phrase: str) -> PlaceInfo:
        """The one place ``phrase`` names ("the table", "the trash", "the red bowl")."""
        text, _ = strip_determiners(phrase)
        if not text:
            raise PlanningError(f"'{phrase}' names no place; places here: {self._place_names()}")
        found = self._place_candidates(text)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise PlanningError(f"'{phrase}' is ambiguous: {', '.join(p.name for p in found)}")
        if self._is_object_word(text):
            raise PlanningError(f"'{text}' is an object, not a place")
        raise PlanningError(
            f"no place matching '{text}' in {self.scene.scene}; places here: {self._place_names()}"
        )

    def _place_candidates(self, text: str) -> list[PlaceInfo]:
        """Places matching ``text`` exactly, else the encoder's best (with ties); may be empty."""
        exact = self._place_exact(text)
        if exact or self.encoder is None:
            return exact
        keys = [(pid, label) for pid, labels in self._place_labels.items() for label in labels]
        sims = self.encoder.similarity([text], [label for _, label in keys])[0]
        best = float(sims.max())
        if best < self.place_threshold:
            return []
        tied = dict.fromkeys(pid for (pid, _), s in zip(keys, sims, strict=False) if s >= best - self.margin)
        return [self.scene.place(pid) for pid in tied]

    def _place_exact(self, text: str) -> list[PlaceInfo]:
        forms = {text, _singular_phrase(text)}
        exact = [p for p in self.scene.places if forms & self._place_labels[p.id]]
        if exact:
            return exact
        if forms & {_label(w) for w in TRASH_WORDS}:
            trash = self.trash_places()
            if trash:
                return trash
        words = set(text.split()) | {singular(w) for w in text.split()}
        return [
            p
            for p in self.scene.places
            if any(words <= set(label.split()) for label in self._place_labels[p.id])
        ]

    def trash_places(self) -> list[PlaceInfo]:
        """Receptacles that are a trash bin by name, category or synonym."""
        trash = {_label(w) for w in TRASH_WORDS}
        return [p for p in self.scene.places if p.receptacle and self._place_labels[p.id] & trash]

    def trash(self) -> PlaceInfo:
        """The trash receptacle, by the lexicon's trash words, else by encoder similarity."""
        found = self.trash_places()
        if len(found) >= 1:
            return found[0]
        if self.encoder is not None:
            places = [p for p in self.scene.places if p.receptacle]
            keys = [(p, label) for p in places for label in self._place_labels[p.id]]
            if keys:
                sims = self.encoder.similarity(["trash bin"], [label for _, label in keys])[0]
                if float(sims.max()) >= self.place_threshold:
                    return keys[int(sims.argmax())][0]
        raise PlanningError(
            f"there is no trash bin in {self.scene.scene} to throw things in; "
            f"places here: {self._place_names()}"
        )

    def _labels_of_place(self, place: PlaceInfo) -> set[str]:
        labels = {_label(place.id), _label(place.name), _label(place.category)}
        return labels | {_label(s) for s in place.synonyms}

    def _is_object_word(self, text: str) -> bool:
        words = text.split()
        head = " ".join(w for i, w in enumerate(words) if not (i < len(words) - 1 and w in self.colours))
        return bool(self._categories(head)[0])

    # ------------------------------------------------------------------ naming
    def _names(self, objects: tuple[ObjectInfo, ...] | list[ObjectInfo]) -> str:
        names = [o.name for o in objects]
        if len(set(names)) < len(names):
            return ", ".join(f"{o.name} ({o.id})" for o in objects)
        return ", ".join(names)

    def _object_names(self) -> str:
        return self._names(self.scene.objects) or "(none)"

    def _place_names(self) -> str:
        return ", ".join(p.name for p in self.scene.places) or "(none)"
