"""One rule for ``random_state`` across the package: None, an int, a RandomState or a Generator."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_generator"]


def as_generator(random_state):
    """A :class:`numpy.random.Generator` for ``random_state``.

    ``None`` gives fresh entropy, an int ``s`` gives ``np.random.default_rng(s)``
    (so a seed means the same stream everywhere), a ``RandomState`` is drawn from
    once for a seed, and a ``Generator`` is used as it is.

    Examples
    --------
    >>> import numpy as np
    >>> float(as_generator(3).random()) == float(np.random.default_rng(3).random())
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**31 - 1))
    if random_state is None or (isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)):
        return np.random.default_rng(random_state)
    raise ValueError(f"random_state must be None, an int, a numpy RandomState or Generator; got {random_state!r}.")
