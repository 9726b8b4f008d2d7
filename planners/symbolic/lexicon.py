"""A small built-in lexicon of household words: synonyms, groups, colours, verbs.

The planner's vocabulary is the scene description (object names, categories, colours;
place names, categories, synonyms) plus this lexicon; nothing here names a scene id.
Keys are categories as scene descriptions write them, with ``_`` read as a space.
"""

from __future__ import annotations

OBJECT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mug": ("cup", "coffee cup", "coffee mug", "tea cup", "teacup", "tea mug"),
    "cup": ("glass", "tumbler", "drinking cup"),
    "bowl": ("cereal bowl", "soup bowl"),
    "plate": ("dish", "dinner plate", "side plate"),
    "bottle": ("water bottle", "drink bottle", "flask", "water"),
    "can": (
        "soda",
        "soda can",
        "tin",
        "tin can",
        "drink can",
        "pop can",
        "coke",
        "soda tin",
        "beer can",
        "empty can",
    ),
    "cereal_box": ("cereal", "box of cereal", "box", "cornflakes", "cereal packet"),
    "sponge": ("scrubber", "dish sponge", "scouring pad", "scrub sponge"),
    "apple": (),
    "banana": (),
    "orange": ("tangerine", "mandarin"),
    "block": ("cube", "brick", "toy block"),
    "spoon": ("teaspoon",),
    "fork": (),
    "knife": (),
}
"""Category -> other words people use for it."""

GROUPS: dict[str, tuple[str, ...]] = {
    "fruit": ("apple", "banana", "orange", "pear", "lemon", "lime", "peach", "plum", "grape", "strawberry"),
    "dishes": ("mug", "bowl", "plate", "cup", "glass", "spoon", "fork", "knife"),
    "drinks": ("bottle", "can"),
    "food": ("apple", "banana", "orange", "pear", "lemon", "cereal_box"),
    "cutlery": ("spoon", "fork", "knife"),
    "toys": ("block",),
    "cleaning things": ("sponge",),
}
"""Group word -> member categories ("put away the dishes")."""

GROUP_SYNONYMS: dict[str, tuple[str, ...]] = {
    "fruit": ("fruits", "the fruit"),
    "dishes": ("dish", "dishware", "crockery", "tableware", "dirty dishes", "cups and bowls"),
    "drinks": ("drink", "beverages", "beverage"),
    "food": ("groceries", "snacks"),
    "cutlery": ("silverware", "utensils", "flatware"),
    "toys": ("toy",),
    "cleaning things": ("cleaning supplies", "cleaning stuff"),
}

ALL_OBJECTS_WORDS: frozenset[str] = frozenset(
    {
        "everything",
        "all",
        "things",
        "stuff",
        "items",
        "objects",
        "all objects",
        "all things",
        "all items",
        "all the things",
        "all the stuff",
        "all the objects",
        "all the items",
        "mess",
        "the mess",
        "everything else",
    }
)
"""Phrases that mean every object."""

ROOM_WORDS: frozenset[str] = frozenset(
    {
        "kitchen",
        "room",
        "house",
        "place",
        "area",
        "scene",
        "workspace",
        "home",
        "apartment",
        "flat",
        "table top",
        "tabletop",
        "up",
        "mess",
        "everything",
        "all",
        "things",
        "stuff",
    }
)
"""Nouns after "tidy" that mean the whole scene rather than one object group."""

TRASH_WORDS: tuple[str, ...] = (
    "trash",
    "trash bin",
    "trash can",
    "bin",
    "garbage",
    "garbage can",
    "rubbish",
    "rubbish bin",
    "waste bin",
    "dustbin",
    "wastebasket",
    "waste basket",
    "litter bin",
)
"""Words for the receptacle that "throw away" targets."""

COLOURS: frozenset[str] = frozenset(
    {
        "red",
        "blue",
        "green",
        "yellow",
        "orange",
        "purple",
        "pink",
        "white",
        "black",
        "grey",
        "gray",
        "brown",
        "cyan",
        "magenta",
        "violet",
        "beige",
        "silver",
        "gold",
        "teal",
        "navy",
        "dark",
        "light",
    }
)
"""Colour words (to tell "the purple elephant" has a colour even if no object does)."""

DETERMINERS: frozenset[str] = frozenset(
    {
        "the",
        "a",
        "an",
        "my",
        "your",
        "our",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "of",
        "its",
        "their",
    }
)
PLURAL_MARKERS: frozenset[str] = frozenset({"all", "every", "each", "both", "everything"})

CAPABILITIES = (
    "tidy up (everything, or a group like 'the dishes'), put/move X in/on Y, bring X to Y, "
    "throw away X, clear the table, go to a place, pick up X"
)
"""One line listing what the planner understands (for 'unknown intent' reasons)."""
