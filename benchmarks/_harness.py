"""What the benchmark scripts share: peak memory of a block, best-of timing, atomic table files."""

import os
import resource
import threading
import time

from deeptda._io import atomic_path

__all__ = ["PeakRSS", "peak_rss_mb", "best_time", "write_table", "replace_block"]


def peak_rss_mb():
    """This process's peak resident memory in MB, over its whole life so far.

    Reads ``VmHWM``, which belongs to the process's own address space. ``ru_maxrss``
    (the fallback off Linux) survives ``exec`` on Linux: a benchmark stage started
    from a large process would report its parent's peak instead of its own.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class PeakRSS:
    """Peak resident memory of this process while the block runs (Linux; NaN elsewhere).

    Sampled every 20 ms from /proc/self/statm, so it includes torch, numba and
    BLAS allocations that Python's tracemalloc cannot see. ``mb`` is the peak
    added during the block: meaningful for a block that allocates its data, not
    for a warm process repeating work it has done before.
    """

    def __enter__(self):
        self.peak = self.base = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    @staticmethod
    def _rss():
        try:
            with open("/proc/self/statm") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            return float("nan")

    def _watch(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())
        self.mb = (self.peak - self.base) / 2**20


def best_time(fn, repeats=3, budget_s=10.0):
    """Best wall time in seconds of up to ``repeats`` calls of ``fn``, stopping once ``budget_s`` is spent.

    The first call of some methods compiles code (umap-learn's ``transform``
    JIT-compiles numba functions, and which ones depends on the data's size:
    a warm-up on a small set does not compile them all), so a single call
    overstates their cost: with ``repeats >= 2`` the budget only stops the
    calls after the second.
    """
    best, spent = float("inf"), 0.0
    for i in range(repeats):
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
        best, spent = min(best, elapsed), spent + elapsed
        if spent > budget_s and i >= 1:
            break
    return best


def write_table(table, path, *, markdown):
    """Write a DataFrame as CSV, or a string as Markdown, under a temporary name and rename."""

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path) as tmp:
        if markdown:
            with open(tmp, "w") as fh:
                fh.write(table)
        else:
            table.to_csv(tmp, index=False)


def replace_block(path, name, text):
    """Replace what stands between ``<!-- name:start -->`` and ``<!-- name:end -->`` in a Markdown file.

    So a README quotes a script's numbers without anyone typing them; the file is
    rewritten atomically and a missing marker is an error, not a silent no-op.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    with open(path) as fh:
        content = fh.read()
    if content.count(start) != 1 or content.count(end) != 1 or content.index(start) > content.index(end):
        raise ValueError(f"{path} needs exactly one '{start}' ... '{end}' block.")
    head, rest = content.split(start)
    _, tail = rest.split(end)
    with atomic_path(path) as tmp, open(tmp, "w") as fh:
        fh.write(f"{head}{start}\n{text.strip()}\n{end}{tail}")
