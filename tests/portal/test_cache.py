"""portal.cache: Django's Redis cache with one redis.Redis client per connection pool."""

import threading

import pytest
from django.conf import settings
from django.core.cache import caches

from portal.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not settings.CACHE_URL, reason="needs Redis (CACHE_URL), as the test command sets"
)


@pytest.fixture
def cache():
    backend = RedisCache(settings.CACHE_URL, {"KEY_PREFIX": "test-portal-cache"})
    yield backend
    backend.clear()
    backend.close()


def test_the_default_cache_is_this_backend():
    assert isinstance(caches["default"], RedisCache)


def test_it_keeps_one_client_per_pool_and_still_reads_and_writes(cache):
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is first
    cache.set("k", {"v": 1})
    cache.set_many({"x": 1, "y": [2]})
    assert cache.get("k") == {"v": 1}
    assert cache.get_many(["x", "y", "missing"]) == {"x": 1, "y": [2]}
    assert cache.incr("x") == 2
    cache.delete("k")
    assert cache.get("k") is None


def test_threads_share_the_client_without_mixing_their_replies(cache):
    errors = []
    start = threading.Barrier(8)

    def worker(n):
        try:
            start.wait()  # all threads ask for their first client at once
            for i in range(200):
                cache.set(f"t{n}", (n, i))
                assert cache.get(f"t{n}") == (n, i)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(cache._cache._clients) == 1
