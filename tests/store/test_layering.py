"""The architecture of DESIGN.md, checked on the source: SQL only in the store, imports inward.

Keeping SQL in ``store/`` is what lets a center move to PostgreSQL later; keeping imports
pointing inward keeps each layer testable without the ones above it. Every import counts,
including lazy imports inside functions and ``TYPE_CHECKING`` blocks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "cscdesk"
SQL_CALLS = {"execute", "executemany", "executescript"}

# Allowed SQL outside the store, one reason each.
SQL_OUTSIDE_STORE_ALLOWED = {
    # SQLCipher: ``PRAGMA key`` and a probe read must run on the raw connection before a Store
    # exists, to tell a wrong key from a plain file; no table is touched.
    "cscdesk.security.encryption",
}

# What each lower layer may import besides itself (DESIGN.md "Imports point inward").
MAY_IMPORT: dict[str, set[str]] = {
    "domain": set(),
    "config": set(),
    "store": {"domain"},
    "demo": {"domain", "store"},
    "callcenter": {"domain", "store", "config"},
    "insurers": {"domain", "store", "config", "importing"},
    "security": {"domain", "store", "config", "insurers"},
    "importing": {"domain", "store"},
    "reports": {"domain", "store", "config", "importing"},
    "sync": {"domain", "store", "config", "callcenter"},
    "doctor": {"store", "config"},
    "knowledge": {"domain"},
    # the desk sits on every layer below, never on the composition root or the CLI
    "tui": {
        "domain",
        "store",
        "config",
        "callcenter",
        "insurers",
        "security",
        "reports",
        "sync",
        "knowledge",
    },
}
# The demo's fictional center reaches a process only through the composition root (the embedded
# demo fills its CenterDirectory) and the simulators; anywhere else it would leak demo names
# into a real deployment.
DEMO_MAY_BE_IMPORTED_BY = {"wiring", "demo", "callcenter.sim", "insurers.sim"}
# The simulators seed themselves with the demo scenario (agents, skill groups, insurers);
# demo imports only domain and store, so this keeps the direction inward.
SIMULATOR_MAY_ALSO_IMPORT = {"callcenter.sim": {"demo"}, "insurers.sim": {"demo"}}
# Only the entry points and their composition helper sit above the desk and the CLI.
TOP_LAYERS = {"tui", "cli"}
MAY_IMPORT_TOP = {"cli", "tui", "wiring", "__main__"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(module: str, tree: ast.Module) -> Iterator[str]:
    """Every ``cscdesk.*`` module ``module`` imports, anywhere in the file."""
    package = module.split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "cscdesk")
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = package[: len(package) - node.level]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            if name.split(".")[0] == "cscdesk":
                yield name


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _sublayer(module: str) -> str:
    return ".".join(module.split(".")[1:3])


def test_the_scan_sees_the_whole_package() -> None:
    """Guards the other tests against passing because they read nothing."""
    modules = dict(_modules())
    assert {"cscdesk.store.db", "cscdesk.sync.storage", "cscdesk.tui.app"} <= set(modules)
    assert "cscdesk.domain.models" in set(
        _imports("cscdesk.store.tickets", modules["cscdesk.store.tickets"])
    )


def test_no_sql_is_executed_outside_the_store() -> None:
    offenders = []
    for module, tree in _modules():
        if _layer(module) == "store" or module in SQL_OUTSIDE_STORE_ALLOWED:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS
            ):
                offenders.append(f"{module}:{node.lineno} .{node.func.attr}()")
    assert offenders == [], "SQL belongs in a store repository:\n" + "\n".join(offenders)


def test_lower_layers_import_only_inward() -> None:
    offenders = []
    for module, tree in _modules():
        layer = _layer(module)
        if layer not in MAY_IMPORT:
            continue
        allowed = {layer, *MAY_IMPORT[layer], *SIMULATOR_MAY_ALSO_IMPORT.get(_sublayer(module), ())}
        for target in _imports(module, tree):
            if _layer(target) not in allowed:
                offenders.append(f"{module} imports {target}")
    assert offenders == [], "imports must point inward:\n" + "\n".join(offenders)


def test_nothing_imports_the_desk_or_the_cli() -> None:
    offenders = [
        f"{module} imports {target}"
        for module, tree in _modules()
        if _layer(module) not in MAY_IMPORT_TOP
        for target in _imports(module, tree)
        if _layer(target) in TOP_LAYERS
    ]
    assert offenders == [], "only cli, tui and wiring may import tui or cli:\n" + "\n".join(
        offenders
    )


def test_the_demo_is_imported_only_by_wiring_and_the_simulators() -> None:
    offenders = [
        f"{module} imports {target}"
        for module, tree in _modules()
        if _layer(module) not in DEMO_MAY_BE_IMPORTED_BY
        and _sublayer(module) not in DEMO_MAY_BE_IMPORTED_BY
        for target in _imports(module, tree)
        if _layer(target) == "demo"
    ]
    assert offenders == [], "demo data only through wiring:\n" + "\n".join(offenders)


def test_every_package_has_a_rule() -> None:
    """A new package must say what it may import, or the checks above would skip it."""
    layers = {_layer(module) for module, _tree in _modules()} - {""}
    assert layers - set(MAY_IMPORT) <= {"cli", "wiring", "__main__"}


def test_no_cycles_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for module, tree in _modules():
        for target in _imports(module, tree):
            if _layer(target) != _layer(module):
                graph.setdefault(_layer(module), set()).add(_layer(target))

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(layer for layer in graph if reaches(layer, layer, {layer}))
    assert cycles == [], f"packages that import themselves round a cycle: {cycles}"
