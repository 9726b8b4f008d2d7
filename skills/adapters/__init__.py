"""Adapters that wrap external pretrained VLAs (OpenVLA, SmolVLA) from local folders as chunk policies."""

__all__: list[str] = []
