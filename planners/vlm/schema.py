"""What a VLM reports about the scene (its structured output), read by the describer and by grounding."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SeenObject(BaseModel):
    """One object the VLM reports."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, description="what it is called, e.g. 'yellow mug'")
    category: str = Field(max_length=100, description="object category, e.g. 'mug'")
    colour: str = Field(default="", max_length=50, description="dominant colour, e.g. 'yellow'")
    place: str | None = Field(default=None, description="id of the known place it is in/on, or null")


class SceneReport(BaseModel):
    """The VLM's whole reply."""

    model_config = ConfigDict(extra="forbid")

    objects: list[SeenObject] = Field(default_factory=list, max_length=100)
    text: str = Field(default="", max_length=2000)
