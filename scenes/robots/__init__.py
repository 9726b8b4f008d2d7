"""Robot models registered in ``ROBOTS``: the Pandas (``mobile-panda``, ``panda``) and legged models
(``a1``, :mod:`scenes.robots.quadruped`) built on PD-torque legged robots (:mod:`scenes.robots.legged`)."""

from scenes.robots.camera import CameraSpec
from scenes.robots.mobile_panda import FixedPanda, MobilePanda
from scenes.robots.panda import PandaArm
from scenes.robots.quadruped import A1Model, LeggedDrive, LeggedModel

__all__ = ["A1Model", "CameraSpec", "FixedPanda", "LeggedDrive", "LeggedModel", "MobilePanda", "PandaArm"]
