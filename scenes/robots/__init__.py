"""Robot models registered in ``ROBOTS``: ``mobile-panda`` and ``panda``."""

from scenes.robots.camera import CameraSpec
from scenes.robots.mobile_panda import FixedPanda, MobilePanda
from scenes.robots.panda import PandaArm

__all__ = ["CameraSpec", "FixedPanda", "MobilePanda", "PandaArm"]
