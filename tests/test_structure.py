"""DeepTDA with defaults on data whose structure is known: keeps a loop, invents nothing in noise.

The cases and the loop rule are those of ``benchmarks/bench_structure.py``.
"""

import importlib.util
import pathlib
import sys

import pytest

from deeptda import DeepTDA, PersistenceClustering

ROOT = pathlib.Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
_spec = importlib.util.spec_from_file_location("bench_structure", ROOT / "benchmarks" / "bench_structure.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def structure(X, seed=0):
    model = DeepTDA(random_state=seed).fit(X)
    top, second, loops = bench.loops(model.embedding_)
    clusters = PersistenceClustering(random_state=seed).fit(model.embedding_).n_clusters_
    return top, second, loops, clusters


def test_a_circle_of_rows_stays_one_loop_with_margin():
    top, second, loops, clusters = structure(bench.circle_rows(0))
    assert (loops, clusters) == (1, 1)
    assert top > 2 * bench.LOOP and second < bench.LOOP / 2


@pytest.mark.parametrize("make", [bench.gaussian_rows, bench.noise_windows], ids=["gaussian-rows", "noise-windows"])
def test_noise_gets_no_loop_and_one_cluster(make):
    top, _, loops, clusters = structure(make(0))
    assert (loops, clusters) == (0, 1) and top < bench.LOOP


def test_the_posture_cycle_stays_one_loop_with_margin():
    # Windows whose mean turns through a whole cycle under a random-phase oscillation: the spectra view's
    # signed mean bin keeps the cycle closed (its absolute value folded it, and the map tore it into arcs).
    top, second, loops, clusters = structure(bench.posture_cycle(0))
    assert (loops, clusters) == (1, 1)
    assert top > 2 * bench.LOOP and second < bench.LOOP / 2
