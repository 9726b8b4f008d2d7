"""Episodes as a LeRobotDataset v3.0: atomic writer, verifier, merger, torch reader."""

from agentrt.datasets.errors import DatasetError
from agentrt.datasets.features import FrameLayout, features_from_env, features_from_spaces
from agentrt.datasets.meta import DatasetMeta, load_meta
from agentrt.datasets.provenance import Provenance, ProvenanceInput, provenance_from_record
from agentrt.datasets.video import VideoOptions
from agentrt.datasets.writer import DatasetWriter

__all__ = [
    "DatasetError",
    "DatasetMeta",
    "DatasetWriter",
    "FrameLayout",
    "Provenance",
    "ProvenanceInput",
    "VideoOptions",
    "features_from_env",
    "features_from_spaces",
    "load_meta",
    "provenance_from_record",
]
