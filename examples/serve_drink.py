"""Serve a drink: a new skill composed from the built-in ones (the tutorial in docs/skills.md).

agentrt run "serve a drink" --skills-module examples.serve_drink
"""

from skills.authoring import skill
from skills.compose import Node, call, sequence


@skill(instruction="serve a drink")
def serve_drink(mug: str) -> Node:
    """Fetch a mug from wherever it is and put it on the dining table, ready for a drink."""
    return sequence(
        call("navigate_to", place="?from"),  # ?from: where the mug is now, read from the scene
        call("pick", object=mug),
        call("navigate_to", place="dining_table"),
        call("place", object=mug, receptacle="dining_table"),
    )
