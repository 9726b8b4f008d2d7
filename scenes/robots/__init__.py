"""Robot models: the Pandas registered in ``ROBOTS`` (``mobile-panda``, ``panda``) and PD-torque legged robots (:mod:`scenes.robots.legged`)."""

from scenes.robots.camera import CameraSpec
from scenes.robots.mobile_panda import FixedPanda, MobilePanda
from scenes.robots.panda import PandaArm

__all__ = ["CameraSpec", "FixedPanda", "MobilePanda", "PandaArm"]
