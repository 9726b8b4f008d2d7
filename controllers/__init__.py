"""Low-level controllers: RL locomotion for legged robots (commands, env, training, artifacts); arm IK lives
with the robot model in ``scenes/robots``."""

__all__: list[str] = []
