"""The shared cache (Redis), with this process's own memory as a stand-in while Redis is
down.

With ``REDIS_URL`` set, pages, rate limits and small shared values live in Redis. If Redis
stops answering, the site must not: every cache call then goes to a local memory cache (so
rate limits count per process for a while, and cached values are simply missing), Redis is
asked again after ``RETRY_SECONDS``, and everything resumes by itself once it answers.
Calls that fail wait at most the short socket timeouts set in settings.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class ResilientRedisCache(BaseCache):
    """Django's Redis cache, falling back to local memory while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.redis = RedisCache(server, params)
        self.local = LocMemCache("treffpunkt-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                result = getattr(self.redis, name)(*args, **kwargs)
            except Exception as error:  # redis' own errors, timeouts, refused connections
                if not _is_redis_error(error):
                    raise
                self._went_down(error)
            else:
                if self._down_until:
                    with self._lock:
                        if self._down_until:
                            self._down_until = 0.0
                            logger.warning("Redis answers again; the shared cache is back.")
                return result
        return getattr(self.local, name)(*args, **kwargs)

    def _went_down(self, error: Exception) -> None:
        with self._lock:
            first = self._down_until == 0.0
            self._down_until = time.monotonic() + RETRY_SECONDS
        if first:
            logger.error("Redis does not answer (%s); using this process's memory.", error)

    def add(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> bool:
        return bool(self._call("add", key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> None:
        self._call("set", key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = None, version: Any = None) -> bool:
        return bool(self._call("touch", key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> bool:
        return bool(self._call("delete", key, version))

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return dict(self._call("get_many", keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return bool(self._call("has_key", key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        return int(self._call("incr", key, delta, version))

    def set_many(self, data: Any, timeout: Any = None, version: Any = None) -> list[Any]:
        return list(self._call("set_many", data, timeout, version) or [])

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._call("delete_many", keys, version)

    def clear(self) -> None:
        self.local.clear()
        self._call("clear")

    def get_or_set(self, key: Any, default: Any, timeout: Any = None, version: Any = None) -> Any:
        value = self.get(key, version=version)
        if value is None:
            value = default() if isinstance(default, Callable) else default  # type: ignore[arg-type]
            self.add(key, value, timeout=timeout, version=version)
            return self.get(key, value, version=version)
        return value


def _is_redis_error(error: Exception) -> bool:
    import redis

    return isinstance(error, redis.RedisError | OSError)
