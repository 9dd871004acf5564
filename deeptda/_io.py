"""Safe files and memory guards shared by the package.

* :func:`atomic_path` — write a file under a temporary name in the same folder,
  then rename it over the target, so an interrupt, a crash or a full disk
  leaves the previous file (or none) but never a truncated one.
* :func:`naming` — prefix the errors and warnings of a block with the file or
  recording they are about, where a user handles many at once.
* :func:`check_memory` — refuse work whose estimated memory exceeds what the
  machine has available, with an error that names the knob to turn, instead
  of being killed by the operating system half-way.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import warnings

__all__ = ["InsufficientMemoryError", "atomic_path", "available_memory", "check_memory", "naming"]

#: Environment variable that overrides the memory budget (bytes, or a number with K/M/G/T).
MEMORY_LIMIT_ENV = "DEEPTDA_MEMORY_LIMIT"


class InsufficientMemoryError(MemoryError, ValueError):
    """Requested work would need more memory than is available.

    A ``MemoryError`` (what it is) and a ``ValueError`` (what the caller can
    fix: a parameter or the size of the input).
    """


@contextlib.contextmanager
def naming(where, known=None):
    """Re-raise a ValueError of the block as ``"{where}: {message}"``, and reissue its warnings so.

    A message that already holds ``known`` (default: ``where``) is left as it is.

    Examples
    --------
    >>> with naming("cow2.csv"):
    ...     raise ValueError("the stream holds NaN")
    Traceback (most recent call last):
    ValueError: cow2.csv: the stream holds NaN
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except ValueError as exc:
            if (known or where) in str(exc):
                raise
            raise ValueError(f"{where}: {exc}") from exc
    for w in caught:
        warnings.warn(f"{where}: {w.message}", w.category, stacklevel=3)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; on success rename it to ``path``.

    The temporary file is flushed to disk before the rename, and removed if
    the block raises. Readers see the old file or the new one, never half of one.

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "table.csv")
    >>> with atomic_path(target) as tmp:
    ...     with open(tmp, "w") as fh:
    ...         _ = fh.write("a,b\\n")
    >>> open(target).read()
    'a,b\\n'
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"no such folder {folder!r} to write {base!r} in; create it first or give another path."
        )
    tmp = _new_file(folder, f".{base}.", ".tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _new_file(folder, prefix, suffix):
    """Create an empty file of a unique name in ``folder``; returns its path.

    Unlike ``tempfile.mkstemp`` (always mode 0600), the file gets the mode a
    new file gets from ``open``: 0666 less the process's umask, so outputs are
    as readable as any other file the user writes.
    """
    for _ in range(100):
        tmp = os.path.join(folder, f"{prefix}{secrets.token_hex(6)}{suffix}")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


def _parse_bytes(text):
    text = str(text).strip().upper().rstrip("B")
    factor = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in "KMGT" else text
    return int(float(number) * factor)


def available_memory():
    """Bytes of memory available for new work.

    ``DEEPTDA_MEMORY_LIMIT`` (e.g. ``"4G"``) overrides the reading; otherwise
    ``MemAvailable`` of ``/proc/meminfo`` on Linux, or the free physical pages
    elsewhere; ``None`` when neither can be read.
    """
    override = os.environ.get(MEMORY_LIMIT_ENV)
    if override:
        try:
            return _parse_bytes(override)
        except ValueError:
            raise ValueError(
                f"{MEMORY_LIMIT_ENV}={override!r} is not a size; use bytes or a number with K, M, G or T."
            ) from None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _human(nbytes):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(nbytes) < 1024 or unit == "TB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} TB"  # pragma: no cover


def check_memory(nbytes, what, fix):
    """Raise :class:`InsufficientMemoryError` when ``nbytes`` exceeds the available memory.

    Parameters
    ----------
    nbytes : float
        Estimated peak memory of the work.
    what : str
        The work, for the message (``"a 50000 x 50000 distance matrix"``).
    fix : str
        What the user can change (``"pass max_samples=5000"``).

    Examples
    --------
    >>> check_memory(1024, "a tiny array", "nothing")
    >>> check_memory(2**70, "an impossible array", "ask for less")
    Traceback (most recent call last):
    ...
    deeptda._io.InsufficientMemoryError: an impossible array needs about ... TB, but only ...
    """
    limit = available_memory()
    if limit is not None and nbytes > limit:
        raise InsufficientMemoryError(
            f"{what} needs about {_human(nbytes)}, but only {_human(limit)} of memory is available "
            f"(set {MEMORY_LIMIT_ENV} to change the budget); {fix}."
        )
