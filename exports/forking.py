"""Work handed to forked processes, where this process may have them.

`workers` says how many; `pool` forks them, each handed what the work needs
(inherited at the fork, never pickled), which the work takes with `handed()`.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import threading
from typing import Any

_handed: Any = None  # in a forked worker: what its pool was given


def workers(most: int, *, alone: bool = False) -> int:
    """How many forked processes to hand work to (at most `most`, one per core); 0 when it should stay here.

    A process with one core gains nothing; a daemonic one (a pool's worker) may not have
    children. With `alone`, only a process running one thread forks: a child that opens a
    database (SQLite) could wait forever on a lock another thread held at the fork.
    """
    cores = os.cpu_count() or 1
    if cores < 2 or multiprocessing.current_process().daemon or (alone and threading.active_count() > 1):
        return 0
    return min(most, cores)


def pool(count: int, given: Any) -> multiprocessing.pool.Pool:
    """`count` forked processes, each handed `given`; leaving the pool's block ends them."""
    return multiprocessing.get_context("fork").Pool(count, _hand, (given,))


def handed() -> Any:
    """In a forked worker: what its pool was given."""
    return _handed


def _hand(given: Any) -> None:
    global _handed
    _handed = given
