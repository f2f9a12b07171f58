"""Work flows forward through the apps (docs/architecture.md).

Read from every product module's syntax tree (function-local imports included):

- an app imports only apps at its own step of the flow or earlier, except the few imports
  listed in ``AGAINST_THE_FLOW`` with the reason each is kept;
- no dependency is hidden from the reader: no ``apps.is_installed`` branch, ``importlib`` or
  ``apps.get_model`` lookup (every app is always installed; a later step that must react to
  an earlier one registers a handler in the earlier app's ``events`` module);
- no two apps import each other (the foundation is ordered like the steps after it);
- views and API handlers read through selectors (and write through services): no module named
  ``views.py``, ``views/*.py``, ``*_views.py`` or ``api.py`` touches a model's ``objects``
  manager, except the few places listed in ``MANAGER_IN_VIEWS`` with the reason each is kept.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import chairside

ROOT = Path(chairside.__file__).parent

# The steps of the work, in order. Apps at one step may import each other; an app may import
# any earlier step. The foundation comes before all of them, itself in order: the job queue,
# the kernel (base models, registries, form helpers), the audit trail, organizations and roles,
# log-in, the API's authentication, reference data, the patient record. The composition layer
# (root URLconf, the demo) comes after all of them.
FLOW: list[set[str]] = [
    {"rules"},  # pure domain rules: no Django, no app (test_rules_import_no_django)
    {"celery"},
    {"core"},
    {"audit"},
    {"tenancy"},
    {"accounts"},
    {"api"},
    {"formulary"},
    {"patients"},
    {"access"},  # referrals and orders, benefits and authorizations: /referrals/, /access/
    {"scheduling", "reminders"},
    {"inventory"},
    {"treatments"},
    {"readiness", "compounding", "homecare"},  # the next days' board; sterile preparation
    # and lot recall; deliveries and home visits on a day route
    {"billing"},
    {"analytics"},
    {"compliance"},  # accreditation evidence per location: staff, temperature logs,
    # incidents and the home plans of care, read from the steps before
    # adapters to the outside world read and write through every step: FHIR, HL7 v2, CSV
    {"fhir", "interop", "demo", "urls", "settings", "test_settings", "wsgi", "asgi"},
]
STEP = {app: i for i, apps in enumerate(FLOW) for app in apps}

# (importing module, imported module): why each is kept.
AGAINST_THE_FLOW: dict[tuple[str, str], str] = {}


HIDDEN = {"is_installed", "get_model", "import_module"}

# (view or API module, line): why it still reads or writes through ``Model.objects``.
MANAGER_IN_VIEWS: dict[tuple[str, int], str] = {}


def product_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts
        and "tests" not in path.parts
        and not path.name.startswith("test_")
    ]


def app_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0].removesuffix(".py")


def chairside_imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(name, node.lineno) for name in names if name.startswith("chairside.")]
    return found


def hidden_lookups(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if isinstance(node, ast.Attribute | ast.Name) and name in HIDDEN:
            lines.append(node.lineno)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names]
            if module == "importlib" or "importlib" in names:
                lines.append(node.lineno)
    return lines


def is_view_module(path: Path) -> bool:
    """Views and API handlers: ``views.py``, ``views/*.py``, ``*_views.py``, ``api.py``."""
    return (
        path.name in {"views.py", "api.py"}
        or path.name.endswith("_views.py")
        or path.parent.name == "views"
    )


def manager_uses(path: Path) -> list[int]:
    """Lines where ``<anything>.objects`` is reached (``Model.objects``, ``model.objects``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    )


def model_lookups(path: Path) -> list[int]:
    """Lines where ``get_object_or_404(Model, …)`` (or ``get_list_or_404``) is given a model
    class: the lookup and its organization scoping belong in a selector."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
        in {"get_object_or_404", "get_list_or_404"}
        and node.args
        and isinstance(node.args[0], ast.Name | ast.Attribute)
        and (node.args[0].id if isinstance(node.args[0], ast.Name) else node.args[0].attr)[
            :1
        ].isupper()
    )


def against_the_flow() -> dict[tuple[str, str], int]:
    found = {}
    for path in product_modules():
        app = app_of(path)
        for module, line in chairside_imports(path):
            target = module.split(".")[1]
            if app in STEP and target in STEP and STEP[target] > STEP[app]:
                found[(str(path.relative_to(ROOT)), module)] = line
    return found


def app_cycles() -> set[frozenset[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in product_modules():
        app = app_of(path)
        for module, _line in chairside_imports(path):
            target = module.split(".")[1]
            if target != app:
                edges[app].add(target)
    return {frozenset({a, b}) for a in edges for b in edges[a] if a in edges.get(b, set())}


def test_every_app_has_its_place_in_the_flow() -> None:
    apps = {app_of(path) for path in product_modules()} - {"__init__"}
    assert apps - set(STEP) == set()


def test_imports_run_with_the_flow_except_the_listed_few() -> None:
    found = against_the_flow()
    unexpected = {f"{where} imports {what} (line {found[where, what]})" for where, what in found}
    unexpected -= {f"{w} imports {m} (line {found[w, m]})" for w, m in AGAINST_THE_FLOW}
    assert unexpected == set()
    assert set(AGAINST_THE_FLOW) <= set(found), "an allowed import is gone: drop it from the list"
    assert len(AGAINST_THE_FLOW) <= 5


def test_no_dependency_is_hidden() -> None:
    hidden = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in product_modules()
        for line in hidden_lookups(path)
    }
    assert hidden == set()


def test_no_new_import_cycle_between_apps() -> None:
    assert app_cycles() == set()


def test_views_and_api_read_through_selectors() -> None:
    view_modules = [path for path in product_modules() if is_view_module(path)]
    assert len(view_modules) > 30  # the walk finds the views (views/ packages included)
    found = {
        (str(path.relative_to(ROOT)), line) for path in view_modules for line in manager_uses(path)
    }
    assert found - set(MANAGER_IN_VIEWS) == set(), (
        "read through a selector, write through a service"
    )
    assert set(MANAGER_IN_VIEWS) <= found, "an allowed use is gone: drop it from the list"
    by_model = {
        (str(path.relative_to(ROOT)), line) for path in view_modules for line in model_lookups(path)
    }
    assert by_model == set(), "get_object_or_404(Model, …): read through a scoped selector"


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import importlib\nfrom django.apps import apps\n"
        "def f():\n    from chairside.billing.models import Claim\n"
        "    return apps.is_installed('x') or apps.get_model('a', 'B')\n"
    )
    assert chairside_imports(sample) == [("chairside.billing.models", 4)]
    assert sorted(set(hidden_lookups(sample))) == [1, 5]
    views = tmp_path / "views"
    views.mkdir()
    view = views / "pages.py"
    view.write_text(
        "def f(request, model):\n"
        "    a = Patient.objects.filter(pk=1)\n"
        "    b = get_object_or_404(Lot.objects.select_related('x'), pk=2)\n"
        "    form.fields['x'].queryset = model.objects.all()\n"
        "    return selectors.objects_of(a), b.objects_count\n"
        "def g(request):\n"
        "    c = get_object_or_404(Chair, pk=3)\n"
        "    d = shortcuts.get_object_or_404(models.Lot, pk=4)\n"
        "    return c, d, get_object_or_404(chairs(request), pk=5)\n"
    )
    assert manager_uses(view) == [2, 3, 4]
    assert model_lookups(view) == [7, 8]
    assert is_view_module(view)
    assert is_view_module(tmp_path / "clinical_views.py") and is_view_module(tmp_path / "api.py")
    assert not is_view_module(tmp_path / "selectors.py")
    assert not is_view_module(tmp_path / "forms.py")


def literal_lists(path: Path) -> list[tuple[str, int, frozenset[str]]]:
    """``NAME = [..]`` / ``(..)`` of four or more strings: (name, line, the strings)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        value, target = node.value, node.targets[0]
        if not isinstance(value, ast.List | ast.Tuple) or len(value.elts) < 4:
            continue
        strings = [e.value for e in value.elts if isinstance(e, ast.Constant)]
        if not all(isinstance(s, str) for s in strings) or len(strings) != len(value.elts):
            continue
        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
        found.append((name, node.lineno, frozenset(str(s) for s in strings)))
    return found


def copied_field_lists() -> set[tuple[str, int, str]]:
    """Forms whose ``fields`` list repeats (give or take three names) a service's field list."""
    modules = product_modules()
    service_lists = [
        (str(path.relative_to(ROOT)), name, names)
        for path in modules
        if "services" in path.parts or path.name == "services.py"
        for name, _line, names in literal_lists(path)
        if name.endswith("_FIELDS")
    ]
    return {
        (str(path.relative_to(ROOT)), line, f"{where}:{service_name}")
        for path in modules
        if path.name == "forms.py" or path.name.endswith("_forms.py")
        for name, line, names in literal_lists(path)
        if name == "fields"
        for where, service_name, service_names in service_lists
        if len(names & service_names) >= 4 and len(names ^ service_names) <= 3
    }


def test_forms_take_their_fields_from_the_services_lists() -> None:
    assert copied_field_lists() == set(), "use the service's *_FIELDS in the form's Meta"


def test_the_field_list_check_sees_a_copy(tmp_path: Path) -> None:
    sample = tmp_path / "forms.py"
    sample.write_text("class Meta:\n    fields = ['a', 'b', 'c', 'd', 'e']\n    x = ('a',)\n")
    assert literal_lists(sample) == [("fields", 2, frozenset("abcde"))]
