"""Django's Redis cache, keeping one redis.Redis client per connection pool.

Django makes a new redis.Redis for every cache call, and redis-py fills ~160
response callbacks into each new client, a sizeable part of a page cache hit.
The client holds no connection of its own (the pool does), so one per pool is safe;
Django already keeps one cache backend per thread.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
