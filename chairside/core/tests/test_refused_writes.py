"""A refused write asserts that nothing changed (issue 14, step 7).

Read from every test module's syntax tree: a test that sends a write through a test client
(``.post``/``.put``/``.patch``/``.delete`` with a path, directly or through a helper in the
same module that does) and asserts a refusal status on its answer (a 4xx: ``== 403``,
``in {400, 422}``, ``>= 400``) must then look at the state the write would have touched,
before its next write that is not itself refused:

- a query (``Model.objects``, a related manager's ``.filter()``/``.exists()``/``.count()`` …),
- ``refresh_from_db()`` of what the write would have changed,
- a helper named like ``assert_unchanged`` / ``assert_no_db_changes`` (``tests/assertions.py``),
  or a helper of the same module that itself runs one of these.

A status code, a message or a page re-read over HTTP says what the user was told, not that
the database kept still: a view that saves and then answers 400 passes them all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chairside

REPO = Path(chairside.__file__).parent.parent
TEST_ROOTS = ("chairside", "tests", "bench")

WRITES = {"post", "put", "patch", "delete"}
# Calls that read the database back: a queryset's or manager's reads, and a reload.
READS = {
    "objects",
    "refresh_from_db",
    "count",
    "exists",
    "filter",
    "exclude",
    "first",
    "last",
    "aggregate",
    "values",
    "values_list",
    "latest",
    "earliest",
    "authenticate",  # the password a refused change must not have replaced
}
# Helper names that assert that nothing changed.
UNCHANGED_MARKERS = ("unchanged", "nothing_changed", "no_db_changes", "no_changes")

# (test module relative to the repository, test function): why it cannot assert state.
# Kept explicit and short; every entry must still be found (an entry that no longer is, goes).
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass
class Module:
    """What the helpers of one test module do: send a write, or read the state back."""

    writers: set[str] = field(default_factory=set)
    readers: set[str] = field(default_factory=set)


def scanned_modules() -> list[Path]:
    return sorted(
        path
        for root in TEST_ROOTS
        for path in (REPO / root).rglob("test_*.py")
        if ".venv" not in path.parts
    )


def call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def is_client_write(call: ast.Call) -> bool:
    """``client.post(url, …)``: a write verb with a path (``obj.delete()`` has none)."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in WRITES
        and (bool(call.args) or any(k.arg == "path" for k in call.keywords))
    )


def is_write(call: ast.Call, module: Module) -> bool:
    return is_client_write(call) or call_name(call) in module.writers


def is_read(node: ast.AST, module: Module) -> bool:
    if isinstance(node, ast.Attribute) and node.attr in {"objects", "session"}:
        return True  # a manager; the server-side session a refused log-in must not fill
    if not isinstance(node, ast.Call):
        return False
    name = call_name(node) or ""
    if name in {"get", "all"} and isinstance(node.func, ast.Attribute):
        return not node.args  # ``order.lines.get()``, not ``client.get(url)`` or a dict's
    return (
        name in READS
        or name in module.readers
        or any(marker in name for marker in UNCHANGED_MARKERS)
    )


def helpers(tree: ast.Module) -> list[ast.FunctionDef]:
    """Module-level functions and class methods that are not tests themselves."""
    found = []
    for node in tree.body:
        bodies = node.body if isinstance(node, ast.ClassDef) else [node]
        found += [
            fn
            for fn in bodies
            if isinstance(fn, ast.FunctionDef) and not fn.name.startswith("test")
        ]
    return found


def module_of(tree: ast.Module) -> Module:
    """Which helpers write and which read; a helper calling a helper counts too."""
    module = Module()
    fns = helpers(tree)
    while True:
        writers = {
            fn.name
            for fn in fns
            if any(isinstance(n, ast.Call) and is_write(n, module) for n in ast.walk(fn))
        }
        readers = {fn.name for fn in fns if any(is_read(n, module) for n in ast.walk(fn))}
        if writers == module.writers and readers == module.readers:
            return module
        module.writers, module.readers = writers, readers


def scanned_tests(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef]]:
    """``(qualified name, function)`` of each test: ``TestClass.test_it`` or ``test_it``."""
    for node in tree.body:
        prefix = f"{node.name}." if isinstance(node, ast.ClassDef) else ""
        bodies = node.body if isinstance(node, ast.ClassDef) else [node]
        yield from (
            (prefix + fn.name, fn)
            for fn in bodies
            if isinstance(fn, ast.FunctionDef) and fn.name.startswith("test")
        )


def refused_params(fn: ast.FunctionDef) -> set[str]:
    """Arguments of ``@pytest.mark.parametrize`` that take a 4xx among their values."""
    found = set()
    for deco in fn.decorator_list:
        if not (isinstance(deco, ast.Call) and call_name(deco) == "parametrize"):
            continue
        names_node, values_node = deco.args[:2]
        names = ast.literal_eval(names_node)
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        for row in getattr(values_node, "elts", []):
            cells = row.elts if isinstance(row, ast.Tuple) and len(names) > 1 else [row]
            for name, cell in zip(names, cells, strict=False):
                code = cell.value if isinstance(cell, ast.Constant) else None
                if isinstance(code, int) and 400 <= code < 500:
                    found.add(name)
    return found


def refusal(compare: ast.Compare, params: set[str]) -> bool:
    """``… == 403``, ``… in {400, 422}``, ``… >= 400``: the answer is a 4xx (or may be, for a
    parametrized ``== status`` that takes a 4xx among its values)."""
    if len(compare.ops) != 1:
        return False
    op, right = compare.ops[0], compare.comparators[0]
    if isinstance(op, ast.Eq) and isinstance(right, ast.Name):
        return right.id in params
    values = [right] if not isinstance(right, ast.Tuple | ast.Set | ast.List) else right.elts
    constants = [v.value for v in values if isinstance(v, ast.Constant)]
    codes = [c for c in constants if isinstance(c, int)]
    if not codes or len(codes) != len(values):
        return False
    if isinstance(op, ast.Eq | ast.In):
        return all(400 <= c < 500 for c in codes)
    return isinstance(op, ast.GtE | ast.Gt) and codes[0] >= 399


def status_subjects(node: ast.AST, params: set[str]) -> Iterator[ast.expr]:
    """The answers whose ``status_code`` an assert statement compares with a 4xx."""
    for compare in ast.walk(node):
        if (
            isinstance(compare, ast.Compare)
            and isinstance(compare.left, ast.Attribute)
            and compare.left.attr == "status_code"
            and refusal(compare, params)
        ):
            yield compare.left.value


def position(node: Any) -> tuple[int, int]:
    return (node.lineno, node.col_offset)


def end(node: Any) -> tuple[int, int]:
    return (node.end_lineno or node.lineno, node.end_col_offset or 0)


def refused_writes_without_a_check(fn: ast.FunctionDef, module: Module) -> list[int]:
    """Lines of the refused writes in ``fn`` that no state check follows."""
    nodes = list(ast.walk(fn))
    writes = sorted(
        (n for n in nodes if isinstance(n, ast.Call) and is_write(n, module)), key=position
    )
    # name -> the write its latest assignment holds, in source order
    assigned: list[tuple[tuple[int, int], str, ast.Call]] = sorted(
        (
            (position(n), target.id, n.value)
            for n in nodes
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
            for target in n.targets
            if isinstance(target, ast.Name) and is_write(n.value, module)
        ),
        key=lambda item: item[0],
    )
    refused: list[ast.Call] = []
    for statement in (n for n in nodes if isinstance(n, ast.Assert)):
        for subject in status_subjects(statement.test, refused_params(fn)):
            if isinstance(subject, ast.Call) and is_write(subject, module):
                refused.append(subject)
            elif isinstance(subject, ast.Name):
                held = [
                    c for at, name, c in assigned if name == subject.id and at < position(subject)
                ]
                if held:
                    refused.append(held[-1])
    inside = {id(n) for call in writes for n in ast.walk(call)}
    reads = sorted((n for n in nodes if id(n) not in inside and is_read(n, module)), key=position)
    refused_ids = {id(c) for c in refused}
    # ``with assert_no_db_changes(...):`` checks the writes in its block
    guarded = [
        (position(n), end(n))
        for n in nodes
        if isinstance(n, ast.With)
        and any(
            isinstance(i.context_expr, ast.Call) and is_read(i.context_expr, module)
            for i in n.items
        )
    ]
    missing = []
    for call in {id(c): c for c in refused}.values():
        if any(start < position(call) < stop for start, stop in guarded):
            continue
        later = [w for w in writes if position(w) > end(call) and id(w) not in refused_ids]
        until = position(later[0]) if later else (10**9, 0)
        if not any(end(call) < position(read) < until for read in reads):
            missing.append(call.lineno)
    return sorted(missing)


def findings() -> dict[tuple[str, str], list[int]]:
    found = {}
    for path in scanned_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = module_of(tree)
        for name, fn in scanned_tests(tree):
            lines = refused_writes_without_a_check(fn, module)
            if lines:
                found[(str(path.relative_to(REPO)), name)] = lines
    return found


if __name__ == "__main__":  # pragma: no cover - a listing for the one who fixes them
    for (where, name), lines in sorted(findings().items()):
        print(f"{where}::{name} {lines}")


def test_every_refused_write_asserts_that_nothing_changed() -> None:
    found = {f"{where}::{name} (lines {lines})" for (where, name), lines in findings().items()}
    allowed = {f"{where}::{name}" for where, name in ALLOWED}
    assert {f for f in found if f.split(" (")[0] not in allowed} == set()
    assert allowed <= {f.split(" (")[0] for f in found}, "an allowed test is gone: drop it"


def test_the_scan_sees_what_it_looks_for(tmp_path: Path) -> None:
    tree = ast.parse(
        "def post(c, url):\n    return c.post(url, {})\n"
        "def test_bare(client):\n    assert client.post('/x', {}).status_code == 403\n"
        "def test_helper(client):\n    r = post(client, '/x')\n"
        "    assert r.status_code in {400, 422}\n"
        "def test_checked(client):\n"
        "    assert client.post('/x').status_code == 404\n    assert not X.objects.exists()\n"
        "def test_guarded(client):\n    with assert_no_db_changes(X):\n"
        "        assert client.delete('/x').status_code >= 400\n"
        "def test_read_then_success(client, obj):\n"
        "    assert client.post('/x').status_code == 400\n"
        "    assert client.post('/x').status_code == 302\n    obj.refresh_from_db()\n"
        "def test_get_and_model_delete(client, obj):\n"
        "    obj.delete()\n    assert client.get('/x').status_code == 403\n"
    )
    module = module_of(tree)
    missing = {name: refused_writes_without_a_check(fn, module) for name, fn in scanned_tests(tree)}
    assert missing == {
        "test_bare": [4],
        "test_helper": [6],
        "test_checked": [],
        "test_guarded": [],
        "test_read_then_success": [15],
        "test_get_and_model_delete": [],
    }
