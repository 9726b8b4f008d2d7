"""Vision-language scene describers: a VLM reads the camera, the result is grounded in the scene."""

from planners.vlm.describer import DescriptionError, VLMDescriber, VLMDescriberConfig
from planners.vlm.grounding import ground
from planners.vlm.schema import SceneReport, SeenObject

__all__ = ["DescriptionError", "SceneReport", "SeenObject", "VLMDescriber", "VLMDescriberConfig", "ground"]
