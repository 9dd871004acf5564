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
                if owner == package and target.rsplit(".", 1)[0] == package and (ROOT / Path(
                        *target.split("."))).with_suffix(".py").exists():
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
