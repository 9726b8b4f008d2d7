"""Humanoid balance (posture commands only; it does not walk): posture prior, env, controller, evaluation.

Run it in a scene: ``load_controller("humanoid-balance")`` (:mod:`controllers.catalog`) gives a
:class:`~controllers.balance.controller.BalanceController`; spawn
:class:`~scenes.robots.humanoid.HumanoidRobot`, put it on its feet with
:func:`~controllers.balance.controller.stand`, wrap both in a
:class:`~controllers.base.ControlledRobot` with ``controller.bridge()`` and ``DECIMATION`` physics
steps per tick (:mod:`controllers.balance.env`), then ``command(PostureCommand(...))`` at ~10 Hz and
``tick()`` at 50 Hz.
"""

__all__: list[str] = []
