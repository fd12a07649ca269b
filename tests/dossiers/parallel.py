"""Run a function from many threads at once (each with its own database connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable


def in_parallel(target: Callable, items: Iterable, *, timeout: float = 60) -> list[Exception]:
    """Call ``target(item)`` for every item, all released together by a barrier; the errors
    raised, to be asserted by the test."""
    items = list(items)
    barrier = threading.Barrier(len(items))
    errors: list[Exception] = []

    def run(item):
        from django.db import connection

        try:
            barrier.wait(timeout=timeout / 2)
            target(item)
        except Exception as exc:  # collected for the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    stuck = sum(t.is_alive() for t in threads)
    if stuck:  # a deadlock or a hang is a failure, not a pass
        errors.append(TimeoutError(f"{stuck} thread(s) still running after {timeout} s"))
    return errors
