"""The rules core must not depend on Django (CONVENTIONS.md, rule 2).

Two independent checks: every file's imports, read from its syntax tree (catches an import
hidden in a function body), and a fresh interpreter that imports every module and looks
at ``sys.modules`` (catches Django pulled in indirectly through another package).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import chairside.rules

RULES_DIR = Path(chairside.rules.__file__).parent
PROJECT_ROOT = RULES_DIR.parent.parent

# Run in a child process so modules already imported by pytest (and its Django plugin)
# cannot hide or fake an import.
IMPORT_EVERY_RULES_MODULE = """
import importlib, json, pkgutil, sys
import chairside.rules as rules
names = [m.name for m in pkgutil.walk_packages(rules.__path__, "chairside.rules.")
         if ".tests" not in m.name]
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(json.dumps({"modules": names, "django": loaded}))
"""


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and (name := _dynamic_import(node)):
            names.add(name)
    return names


def _dynamic_import(node: ast.Call) -> str | None:
    """The module named by ``importlib.import_module("x")`` or ``__import__("x")``."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if called not in {"import_module", "__import__"} or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def is_django(module: str) -> bool:
    return module == "django" or module.startswith("django.")


class TestRulesImportNoDjango:
    def test_it_finds_the_rules_files(self):
        files = {path.name for path in RULES_DIR.rglob("*.py")}
        assert {"ndc.py", "npi.py", "vials.py", "regimens.py", "payment.py"} <= files

    def test_it_finds_no_django_import_in_any_rules_file(self):
        offenders = {
            str(path.relative_to(PROJECT_ROOT)): sorted(filter(is_django, imported_modules(path)))
            for path in sorted(RULES_DIR.rglob("*.py"))
        }
        assert {path: names for path, names in offenders.items() if names} == {}

    def test_it_sees_an_import_hidden_in_a_function(self, tmp_path):
        sample = tmp_path / "sample.py"
        sample.write_text(
            "def f():\n    from django.db import models\n"
            "def g():\n    import importlib\n    importlib.import_module('django.conf')\n"
        )
        assert {"django.db", "django.conf"} <= imported_modules(sample)

    def test_it_imports_every_rules_module_without_loading_django(self):
        result = subprocess.run(  # noqa: S603 -- our own interpreter and a fixed script
            [sys.executable, "-c", IMPORT_EVERY_RULES_MODULE],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert "chairside.rules.inventory.ndc" in report["modules"]
        assert report["django"] == []
