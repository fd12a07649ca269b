"""Django's Redis cache backend, keeping one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache operation
(about 70 µs here: the client registers some 170 response callbacks), and a signed-in page
makes at least two (the session, the officers' procedure index). A ``redis.Redis`` client is
thread-safe — each command borrows a connection from the pool — so one per pool is enough.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            # Under a lock: threads starting together would each build a pool and a client.
            with self._lock:
                client = self._clients.get(index)
                if client is None:
                    pool = self._get_connection_pool_at(index)
                    client = self._clients[index] = self._client(connection_pool=pool)
        return client

    def _get_connection_pool_at(self, index):
        """Django's ``_get_connection_pool`` for a server index chosen by the caller."""
        if index not in self._pools:
            self._pools[index] = self._pool_class.from_url(
                self._servers[index], **self._pool_options
            )
        return self._pools[index]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
