"""Vision-language scene describers: a VLM reads the camera, the result is grounded in the scene."""

from planners.vlm.describer import DescriptionError, SceneReport, SeenObject, VLMDescriber, VLMDescriberConfig
from planners.vlm.grounding import ground

__all__ = ["DescriptionError", "SceneReport", "SeenObject", "VLMDescriber", "VLMDescriberConfig", "ground"]
