"""Long work shares the cores only where a process may have children."""

import multiprocessing
import os
import threading

from exports import forking


def test_work_is_forked_one_process_per_core_up_to_the_most_asked(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert (forking.workers(4), forking.workers(1)) == (2, 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert forking.workers(4) == 0


def test_nothing_is_forked_from_a_pool_s_worker(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(forking.workers, (2,)) == 0  # a daemonic process may not have children


def test_work_that_opens_the_database_is_forked_only_from_a_process_of_one_thread(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert forking.workers(2, alone=True) == 2
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert forking.workers(2, alone=True) == 0 and forking.workers(2) == 2
    finally:
        stop.set()
        other.join()


def _handed_back(_):
    return forking.handed(), os.getpid()


def test_a_pool_s_workers_are_handed_what_it_was_given_and_this_process_is_not():
    with forking.pool(2, {"round": 7}) as pool:
        got = pool.map(_handed_back, range(4), 1)
    assert [given for given, _ in got] == [{"round": 7}] * 4
    assert os.getpid() not in {pid for _, pid in got} and forking.handed() is None
