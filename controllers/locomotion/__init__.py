"""Quadruped velocity-tracking locomotion: env, observation/reward terms, deployed controller."""
