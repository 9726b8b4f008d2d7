"""Adapters that wrap external pretrained VLAs (OpenVLA, SmolVLA) from local folders as chunk policies.

Each adapter is registered in :data:`ADAPTERS` by name and answers two class methods:
``accepts(config) -> bool`` for a folder's ``config.json`` and ``load(path, action_keys) ->
ChunkPolicy``. :func:`skills.vla.catalog.load_chunk_policy` asks them in order of ``priority``
(lowest first); another package adds one by registering its class, advertised under the
entry-point group ``agentrt.adapters``.
"""

from agentrt.core.registry import Registry

ADAPTERS: Registry = Registry("adapter")
"""External VLA adapter classes by name (``smolvla``, ``openvla``)."""

__all__ = ["ADAPTERS"]
