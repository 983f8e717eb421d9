"""Work handed to forked processes, where this process may have them."""

from __future__ import annotations

import multiprocessing
import os
import threading


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
