"""Django's Redis cache, with one Redis client per connection pool instead of one per call,
and ``get_or_lock`` in one round trip.

Django builds a new ``redis.Redis`` for every cache operation, and each one sets up its
table of some 170 response callbacks: on a page served from the cache that was most of the
cost. A client over a pool is safe to share, so it is made once.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def get_or_lock(self, key, lock, timeout):
        client = self.get_client(key, write=True)
        script = self._scripts.get(client)
        if script is None:
            script = self._scripts[client] = client.register_script(_GET_OR_LOCK)
        value = script(keys=[key, lock], args=[timeout], client=client)
        if isinstance(value, int):
            return None, bool(value)
        return self._serializer.loads(value), False


# The value at KEYS[1]; else 1 if this caller took the lock KEYS[2] (for ARGV[1] seconds),
# or 0 if another holds it. (The lock's value is 1, as the serializer writes an integer.)
_GET_OR_LOCK = """
local value = redis.call('GET', KEYS[1])
if value then return value end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 1 end
return 0
"""


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def get_or_lock(self, key, lock, timeout: int):
        """(value, False) if ``key`` holds one; else (None, whether this caller now holds
        ``lock`` for ``timeout`` seconds): what a cache miss asks, in one round trip."""
        return self._cache.get_or_lock(
            self.make_and_validate_key(key), self.make_and_validate_key(lock), timeout
        )
