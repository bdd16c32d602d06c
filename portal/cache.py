"""A Redis cache that fails safe: the cache is an accelerator, never a dependency.

`FailSafeRedisCache` is Django's Redis backend whose every operation, when Redis does not
answer, behaves as a miss (reads) or does nothing (writes), so pages are built from the
database. After a failure it leaves Redis alone for `RETRY_SECONDS` (no request waits on a
dead server, and the failure is logged once per interval, not once per request), then tries
again. `status()` tells /healthz whether the cache is working or degraded.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("portal.cache")

#: How long a failed cache is left alone before it is tried again.
RETRY_SECONDS = 10.0

_lock = threading.Lock()
_down_until: dict[str, float] = {}  # cache location -> monotonic time to try again


def _errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.RedisError, OSError)


class FailSafeRedisCache(RedisCache):
    def _available(self) -> bool:
        until = _down_until.get(self._server_label)
        return until is None or time.monotonic() >= until

    @property
    def _server_label(self) -> str:
        return ",".join(self._servers)

    def _failed(self, operation: str, error: BaseException) -> None:
        with _lock:
            first = self._available()
            _down_until[self._server_label] = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "Cache unavailable (%s failed: %s); pages are built from the database, "
                "next try in %.0f s.",
                operation,
                error,
                RETRY_SECONDS,
            )

    def _recovered(self) -> None:
        if self._server_label in _down_until:
            with _lock:
                if _down_until.pop(self._server_label, None) is not None:
                    logger.warning("Cache available again.")

    def _guard(self, operation: str, default, call, *args, **kwargs):
        if not self._available():
            return default
        try:
            result = call(*args, **kwargs)
        except _errors() as error:
            self._failed(operation, error)
            return default
        self._recovered()
        return result

    def get(self, key, default=None, version=None):
        return self._guard("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        if not self._available():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")
        try:
            return super().incr(key, delta, version)
        except _errors() as error:
            self._failed("incr", error)
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)") from error

    def clear(self):
        return self._guard("clear", False, super().clear)

    def probe(self) -> bool:
        """Whether Redis answers now (for /healthz): a round trip, whatever the back-off."""
        try:
            self._cache.get_client(write=False).ping()
        except _errors() as error:
            self._failed("ping", error)
            return False
        self._recovered()
        return True


def status() -> dict[str, str]:
    """Each configured cache: "ok", "degraded" (Redis does not answer) or "local" (memory)."""
    from django.core.cache import caches

    result = {}
    for alias in caches.settings:
        cache = caches[alias]
        if isinstance(cache, FailSafeRedisCache):
            result[alias] = "ok" if cache.probe() else "degraded"
        else:
            result[alias] = "local"
    return result
