"""Lower layers stay lower (the architecture notes, "Layers": arrows point to what a layer may import).

Every non-test module of core, pki and ledger is parsed with ``ast``; every import in it (module level, inside a
function, under ``TYPE_CHECKING``, relative or absolute) must name a module of an app the layer may use:

* core imports no app but itself (roles and the credit-code check live in core so that everyone can use them);
* pki imports core and itself;
* ledger imports core and itself, and of pki only ``pki.sm`` (SM2/SM3/SM4 primitives: pure functions over bytes,
  which the ledger's signed notes use for SM2 log signatures). pki imports nothing of the ledger.
* supervision (a domain app) imports the layers below the domain row and itself; its ``screens`` package imports
  no Django and nothing of ggzy outside itself (tools on data from anywhere).

Apps above reach pki through hooks they register (``pki.login.register_account_resolver`` and
``register_after_login``), never the other way round.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ggzy"

# layer → first-party apps (``ggzy.<app>``) it may import, and single modules of other apps it may import.
ALLOWED_APPS = {
    "core": {"core"},
    "pki": {"core", "pki"},
    "ledger": {"core", "ledger"},
    # a domain app (the domain row): the layers below it; a sibling only through modules listed below
    "supervision": {"core", "ledger", "pki", "registry", "catalog", "supervision"},
    # domain row: the expert pool sits beside tendering and imports only the layers below it (+ accounts for users)
    "experts": {"core", "ledger", "pki", "registry", "catalog", "accounts", "experts"},
    # the domain row: centers (remote evaluation) sits beside tendering and never imports it; tendering calls
    # centers.services / centers.selectors
    "centers": {"core", "ledger", "pki", "registry", "catalog", "accounts", "centers"},
    # credit sits below the trading apps (tendering, experts, supervision call its services and selectors)
    "credit": {"core", "ledger", "credit"},
    # open data (OCDS) is a projection above the domains: it reads tendering and rights only through the selectors
    # kept for it, and the registry (below tendering) for the public form of an office phone
    "opendata": {"core", "registry", "opendata"},
    # the domain row: rights listings (land, mining, state property) sit beside tendering and never import it
    "rights": {"core", "ledger", "pki", "registry", "catalog", "accounts", "rights"},
    # the publication push sits below disclosure (which calls its services): the ledger's delivery machinery,
    # pki's platform signature, core's masking table
    "publication": {"core", "ledger", "pki", "publication"},
}
ALLOWED_MODULES = {
    "core": set(),
    "pki": set(),
    "ledger": {"ggzy.pki.sm"},
    # supervision reads lots, bids and history through selectors tendering keeps for it; findings become credit
    # records through credit's services
    "supervision": {
        "ggzy.tendering.selectors_supervision",
        "ggzy.tendering.selectors_history",
        "ggzy.tendering.selectors_bid_texts",
        "ggzy.tendering.selectors_complaints",
        "ggzy.credit.services",
        "ggzy.credit.selectors",
    },
    # the draw avoids experts with a credit restriction of expert_draw in force (credit's selectors)
    "experts": {"ggzy.credit.selectors"},
    "centers": set(),
    # the firm's signed credit report: pki's public face (platform signature and its offline check)
    "credit": {"ggzy.pki.services"},
    "opendata": {"ggzy.tendering.selectors_opendata", "ggzy.rights.selectors_opendata"},
    # the portal's notices of a listing (announcement, result) through disclosure's publishing service
    "rights": {"ggzy.disclosure.services", "ggzy.disclosure.models"},
    "publication": set(),
}


def _is_test_module(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    return "tests" in parts or path.name.startswith("test_") or path.name == "conftest.py"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from … import`` names (relative levels resolved against ``module``)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_modules(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute name) for each import anywhere in ``source``; ``from a import b`` yields ``a.b`` (``b`` may be a
    module: ``from ggzy import registry``), ``from a import *`` yields ``a``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, module, is_package)
            found.extend((node.lineno, target if alias.name == "*" else f"{target}.{alias.name}")
                         for alias in node.names)
    return found


def _allowed(layer: str, target: str) -> bool:
    parts = target.split(".")
    if parts[0] != "ggzy":
        return True  # the standard library and third-party packages
    if len(parts) == 1:
        return True  # ``from ggzy import x`` is judged by ``ggzy.x``
    if parts[1] in ALLOWED_APPS[layer]:
        return True
    return any(target == allowed or target.startswith(allowed + ".") for allowed in ALLOWED_MODULES[layer])


def _modules_of(layer: str) -> list[Path]:
    return sorted(p for p in (PACKAGE / layer).rglob("*.py") if not _is_test_module(p))


def violations(layer: str) -> list[str]:
    found = []
    for path in _modules_of(layer):
        for line, target in imported_modules(path.read_text(encoding="utf-8"), _module_name(path),
                                             is_package=path.name == "__init__.py"):
            if not _allowed(layer, target):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    return sorted(set(found))


@pytest.mark.parametrize("layer", sorted(ALLOWED_APPS))
def test_lower_layer_imports_nothing_above_it(layer):
    # given every non-test module of the layer
    assert _modules_of(layer)
    # then none imports an app the layer may not use
    assert violations(layer) == [], (
        f"{layer} must import only {sorted(ALLOWED_APPS[layer] | ALLOWED_MODULES[layer])} of ggzy "
        "(roles and the credit-code check are in ggzy.core; an app above registers a hook instead)")


def test_pki_imports_nothing_of_the_ledger_it_lends_sm_to():
    # ledger → pki.sm is allowed only because pki never imports the ledger back
    assert not [v for v in violations("pki") if " imports ggzy.ledger" in v]
    ledger_uses = {target for path in _modules_of("ledger")
                   for _, target in imported_modules(path.read_text(encoding="utf-8"), _module_name(path))
                   if target.startswith("ggzy.pki")}
    assert ledger_uses <= {"ggzy.pki.sm"}


def test_the_check_sees_function_level_relative_and_package_imports():
    # given a module hiding its imports in a function, relative to its package, and as a name of ggzy
    source = (
        "from __future__ import annotations\n"
        "def account(subject):\n"
        "    from ggzy.registry.models import MarketEntityAccount\n"
        "    from ..accounts import roles\n"
        "    import ggzy.tendering.services\n"
        "from ggzy import catalog\n"
        "from . import certificates\n"
        "from ggzy.core.roles import Role\n"
    )
    # when the imports are listed for a module of pki
    bad = [target for _, target in imported_modules(source, "ggzy.pki.login") if not _allowed("pki", target)]
    # then each one from above pki is caught, and pki's own and core's are not
    assert sorted(bad) == ["ggzy.accounts.roles", "ggzy.catalog", "ggzy.registry.models.MarketEntityAccount",
                           "ggzy.tendering.services"]


def test_supervision_screens_are_django_free():
    # given the tools that work on data from anywhere (ggzy screens score / cardinal)
    screens = PACKAGE / "supervision" / "screens"
    modules = sorted(p for p in screens.rglob("*.py") if not _is_test_module(p))
    assert modules
    # then they import neither Django nor any part of ggzy outside the screens package
    bad = [f"{path.relative_to(ROOT)}:{line} imports {target}"
           for path in modules
           for line, target in imported_modules(path.read_text(encoding="utf-8"), _module_name(path),
                                                is_package=path.name == "__init__.py")
           if target.split(".")[0] == "django"
           or (target.startswith("ggzy") and not target.startswith("ggzy.supervision.screens"))]
    assert bad == []


def test_tendering_reaches_centers_only_through_its_services_and_selectors():
    # given every non-test module of tendering
    reached = {target for path in _modules_of("tendering")
               for _, target in imported_modules(path.read_text(encoding="utf-8"), _module_name(path),
                                                 is_package=path.name == "__init__.py")
               if target.startswith("ggzy.centers")}
    # then only the two doors of centers are used (and they are used: the evaluation calls the session gate)
    assert reached and all(t.startswith(("ggzy.centers.services", "ggzy.centers.selectors")) for t in reached), reached


def _get_model_calls(tree: ast.AST) -> list[int]:
    """Lines that call ``<something>.get_model(…)`` (the app registry lookup that bypasses the import doors)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get_model"
    ]


def test_no_app_registry_lookups_outside_migrations():
    # given every module of the package except migrations (there ``apps.get_model`` is the only correct way)
    modules = [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.relative_to(PACKAGE).parts]
    # when looking for model lookups through the app registry
    found = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in modules
        for line in _get_model_calls(ast.parse(p.read_text(encoding="utf-8")))
    ]
    # then there are none: a model of another app is reached through its selectors/services, of the same app by import
    assert found == []


def test_the_registry_lookup_check_sees_a_call():
    # given a module that looks a model up through the app registry
    tree = ast.parse("from django.apps import apps\nM = apps.get_model('experts', 'DrawRequest')\n")
    # when / then the check finds the call on its line
    assert _get_model_calls(tree) == [2]
