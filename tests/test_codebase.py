"""House rules a test can check: no private name crosses a module boundary."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def _violations(path, source_text=None):
    package = _module(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module(path.parent)
    tree = ast.parse(path.read_text() if source_text is None else source_text)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        for alias in node.names:
            target = f"{source}.{alias.name}"
            owner = source
            if _private(alias.name):
                # a package may use its own private modules (deeptda.topology -> deeptda.topology._kernels)
                if (
                    owner == package
                    and target.rsplit(".", 1)[0] == package
                    and (ROOT / Path(*target.split("."))).with_suffix(".py").exists()
                ):
                    continue
                found.append(f"{_module(path)}:{node.lineno} imports {target}")
    return found


def test_no_private_name_is_imported_across_modules():
    files = sorted((ROOT / "deeptda").rglob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py"))
    violations = [v for f in files for v in _violations(f)]
    assert not violations, "\n".join(violations)


def test_the_rule_catches_a_private_import():
    probe = ROOT / "deeptda" / "probe.py"  # not written: the source is given
    text = "from .topology import _kernels\nfrom .cluster import _log_dtm_density\nfrom . import _io\n"
    assert len(_violations(probe, text)) == 2  # deeptda's own private module _io is allowed
    inside = ROOT / "deeptda" / "topology" / "probe.py"
    assert _violations(inside, "from . import _kernels\n") == []


def _code_lines(path):
    """Non-blank lines that are not comments, stripped, with their line numbers."""
    lines = [(i + 1, line.strip()) for i, line in enumerate(path.read_text().splitlines())]
    return [(i, line) for i, line in lines if line and not line.startswith("#")]


def test_no_block_of_six_lines_is_repeated_inside_the_package():
    seen = {}
    repeated = []
    for path in sorted((ROOT / "deeptda").rglob("*.py")):
        lines = _code_lines(path)
        for k in range(len(lines) - 5):
            block = tuple(line for _, line in lines[k : k + 6])
            where = f"{_module(path)}:{lines[k][0]}"
            if block in seen and seen[block] != where:
                repeated.append(f"{where} repeats {seen[block]}")
            seen.setdefault(block, where)
    assert not repeated, "\n".join(repeated[:20])


# Modules over 400 lines, each with its one job. A module that grows past 400 lines
# without an entry here fails the test below: split it, or say here why it is one job.
LONG_MODULES = {
    "deeptda.explorer": "the explore page's layout and callbacks (its data is deeptda._explore_data)",
    "deeptda.herd": "one pipeline for many recordings: fit on a sample, apply everywhere (one process or Dask)",
    "deeptda.windows": "cutting streams into windows: parsing, the window grid, labels, the estimator",
    "deeptda.cli": "the command line: one function per command",
    "deeptda.simulations": "the two seeded simulators and the helpers they share",
    "deeptda._estimator": "the DeepTDA estimator: parameters, fit, transform, save and load",
    "deeptda.topology.persistence": "persistence pairs, diagrams and their distances",
    "deeptda.metrics": "scores of an embedding against its data (neighbourhoods, labels, density, topology)",
    "deeptda.cluster": "PersistenceClustering: ToMATo, the bootstrap count, merges by time alternation, predict",
    "deeptda.training": "the two training loops (encoder, map) and the graph and start layout the map is trained on",
    "deeptda.encoders": "the network's modules (encoders, input views, heads) and how their weights start",
    "deeptda.bouts": "window clusters back on the timeline: bouts, samples, budgets, names, medoids, alternation",
}


def test_long_modules_are_listed_with_their_one_job():
    long = {_module(p): len(p.read_text().splitlines()) for p in (ROOT / "deeptda").rglob("*.py")}
    long = {m: n for m, n in long.items() if n > 400}
    assert set(long) <= set(LONG_MODULES), f"over 400 lines without a stated job: {set(long) - set(LONG_MODULES)}"
    assert all(n <= 600 for n in long.values()), f"over 600 lines: split it {long}"
