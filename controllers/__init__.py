"""Low-level controllers. The arm's IK/joint control lives with the robot model in
``scenes/robots``; reinforcement-learned legged controllers arrive with their issue."""

__all__: list[str] = []
