"""Safe files, memory guards and concurrent use (deeptda._io and its callers)."""

import multiprocessing
import os
import signal
import stat
import threading
import time

import numpy as np
import pytest

from deeptda import DeepTDA
from deeptda._io import InsufficientMemoryError, atomic_path, available_memory, check_memory

TINY = dict(n_epochs=2, map_epochs=2, random_state=0)


def test_atomic_path_replaces_on_success_and_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            with open(tmp, "w") as fh:
                fh.write("half of the new")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["table.csv"]  # no temporary file left behind
    with atomic_path(target) as tmp:
        with open(tmp, "w") as fh:
            fh.write("new\n")
    assert target.read_text() == "new\n" and os.listdir(tmp_path) == ["table.csv"]
    with pytest.raises(FileNotFoundError, match="no such folder .*nowhere.* to write 'table.csv' in; create it"):
        with atomic_path(tmp_path / "nowhere" / "table.csv"):
            pass


@pytest.mark.skipif(os.name != "posix", reason="file modes and umask are POSIX")
def test_atomic_path_gives_the_mode_of_any_new_file(tmp_path):
    # a temporary file is 0600; the output must be as readable as what open() creates
    old = os.umask(0o022)
    try:
        for umask, mode in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
            os.umask(umask)
            target = tmp_path / f"out-{umask:o}.csv"
            with atomic_path(target) as tmp:
                with open(tmp, "w") as fh:
                    fh.write("a\n")
            plain = tmp_path / f"plain-{umask:o}.csv"
            plain.write_text("a\n")
            assert stat.S_IMODE(os.stat(target).st_mode) == mode == stat.S_IMODE(os.stat(plain).st_mode)
    finally:
        os.umask(old)


def test_memory_budget_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEEPTDA_MEMORY_LIMIT", "2G")
    assert available_memory() == 2 * 2**30
    check_memory(2**30, "one gigabyte", "nothing")
    with pytest.raises(InsufficientMemoryError, match="3.0 GB, but only 2.0 GB .*pass less"):
        check_memory(3 * 2**30, "three gigabytes", "pass less")
    monkeypatch.setenv("DEEPTDA_MEMORY_LIMIT", "lots")
    with pytest.raises(ValueError, match="is not a size"):
        available_memory()
    monkeypatch.delenv("DEEPTDA_MEMORY_LIMIT")
    assert available_memory() > 0


def _save_forever(model, path):  # runs in a forked child until it is killed
    while True:
        model.save(path)


def test_a_save_killed_half_way_leaves_the_previous_file(tmp_path):
    X = np.random.default_rng(0).normal(size=(40, 3, 16)).astype(np.float32)
    model = DeepTDA(**TINY).fit(X)
    expected = model.transform(X)
    # a large embedding makes each save take long enough to be interrupted at random points
    model.embedding_ = np.random.default_rng(1).normal(size=(1_000_000, 2)).astype(np.float32)
    path = str(tmp_path / "model.pt")
    model.save(path)
    start = time.perf_counter()
    model.save(path)
    save_s = time.perf_counter() - start
    ctx = multiprocessing.get_context("fork")
    rng = np.random.default_rng(0)
    for _ in range(20):
        child = ctx.Process(target=_save_forever, args=(model, path))
        child.start()
        time.sleep(float(rng.uniform(0.05, 0.05 + 3 * save_s)))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        loaded = DeepTDA.load(path)  # the previous or the new file, never a truncated one
        np.testing.assert_array_equal(loaded.transform(X), expected)
    leftovers = [name for name in os.listdir(tmp_path) if name != "model.pt"]
    assert all(name.startswith(".model.pt.") and name.endswith(".tmp") for name in leftovers)


def test_transform_from_several_threads_equals_one_call():
    X = np.random.default_rng(0).normal(size=(600, 3, 16)).astype(np.float32)
    model = DeepTDA(**TINY).fit(X[:100])
    expected = model.transform(X)
    results = [None] * 4
    barrier = threading.Barrier(4)

    def work(i):
        barrier.wait()
        results[i] = [model.transform(X) for _ in range(3)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for runs in results:
        for Y in runs:
            np.testing.assert_array_equal(Y, expected)
