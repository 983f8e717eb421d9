"""Work handed to forked processes, where this process may have them."""

from __future__ import annotations

import multiprocessing
import os


def workers(most: int) -> int:
    """How many forked processes to hand work to (at most `most`, one per core); 0 when it should stay here.

    A process with one core gains nothing; a daemonic one (a pool's worker) may not have children.
    """
    cores = os.cpu_count() or 1
    if cores < 2 or multiprocessing.current_process().daemon:
        return 0
    return min(most, cores)
