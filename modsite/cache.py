"""The shared cache: its tables made by `migrate`, and a faster Redis client.

Without REDIS_URL the cache lives in a database table. A forgotten `createcachetable`
used to leave the site running with every cache call failing (patient pages uncached,
the form's rate limit skipped), so `migrate` creates the table itself (post_migrate).

Django's Redis cache builds a new `redis.Redis` object for every cache operation, which
costs more than the round trip to Redis itself. The client is thread-safe (connections come from the
pool), so reusing it is safe and makes a cached page hit much cheaper.
"""

from django.core.cache.backends import redis as django_redis
from django.core.management import call_command


def create_cache_tables(sender, using, verbosity=1, **kwargs):
    """post_migrate: create the table of every database cache (CACHES) kept in `using`.
    Idempotent, and a no-op for Redis or in-memory caches."""
    call_command("createcachetable", database=using, verbosity=verbosity)


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
