"""Treffpunkt: event hashtag walls, blogs with real conversations, federated."""

__version__ = "0.1.0"
