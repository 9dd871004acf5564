"""What the benchmark scripts share: peak memory of a block, best-of timing, atomic table files."""

import os

from deeptda._io import atomic_path  # noqa: F401  (re-exported for the scripts)
from deeptda.benchmark import PeakRSS, best_time  # noqa: F401

__all__ = ["PeakRSS", "best_time", "write_table"]


def write_table(table, path, *, markdown):
    """Write a DataFrame as CSV, or a string as Markdown, under a temporary name and rename."""

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path) as tmp:
        if markdown:
            with open(tmp, "w") as fh:
                fh.write(table)
        else:
            table.to_csv(tmp, index=False)
