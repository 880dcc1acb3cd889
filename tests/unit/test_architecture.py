"""Structure rules that import-linter cannot state (CONVENTIONS 10 and 11).

* No module uses another module's ``_private`` name.
* Pure rule modules load neither Flask nor SQLAlchemy, even through a package ``__init__``.
* Templates never compare an order status or a role: they ask the permission helpers.
* No view module imports another view module.

The source is read with ``ast`` and the templates as text, so nothing here runs the app.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sales_service"
TEMPLATES = PACKAGE / "templates"

# Top-level packages a pure rule must not have loaded after its import.
WEB_AND_DATABASE = {"flask", "flask_login", "flask_wtf", "flask_limiter", "werkzeug", "sqlalchemy", "alembic"}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def source(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


@cache
def modules() -> dict[str, Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        found[name] = Module(name, path, is_package)
    return found


@cache
def tree(module: Module) -> ast.Module:
    return ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def import_base(module: Module, node: ast.ImportFrom) -> str:
    """The absolute module a ``from … import`` reads from."""
    if not node.level:
        return node.module or ""
    base = module.package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_modules(module: Module) -> list[tuple[int, str]]:
    """(line, module) for every sales_service module this one imports, at any depth of the file."""
    found = []
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = import_base(module, node)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append((node.lineno, submodule if submodule in modules() else base))
    return [(line, name) for line, name in found if within(name, "sales_service")]


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def module_aliases(module: Module) -> dict[str, str]:
    """Local names bound to sales_service modules by this module's imports."""
    aliases = {}
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if within(alias.name, "sales_service"):
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:  # `import sales_service.x.y` binds `sales_service`
                        aliases[alias.name.partition(".")[0]] = alias.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = import_base(module, node)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules():
                    aliases[alias.asname or alias.name] = submodule
    return aliases


def private_name_uses(module: Module) -> list[str]:
    offences = []

    def offence(line: int, what: str) -> None:
        offences.append(f"{module.source}:{line}: {what}")

    def check_private_modules(line: int, name: str) -> None:
        """A private module may be imported only from inside the package that holds it."""
        parts = name.split(".")
        for index, part in enumerate(parts):
            if is_private(part) and not within(module.name, ".".join(parts[:index])):
                offence(line, f"imports private module {'.'.join(parts[: index + 1])}")
                return

    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if within(alias.name, "sales_service"):
                    check_private_modules(node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = import_base(module, node)
            if not within(base, "sales_service"):
                continue
            check_private_modules(node.lineno, base)
            for alias in node.names:
                if not is_private(alias.name):
                    continue
                if f"{base}.{alias.name}" in modules():
                    check_private_modules(node.lineno, f"{base}.{alias.name}")
                elif base != module.name:
                    offence(node.lineno, f"imports {alias.name} from {base}")

    aliases = module_aliases(module)
    for node in ast.walk(tree(module)):
        if not (isinstance(node, ast.Attribute) and is_private(node.attr)):
            continue
        owner = dotted(node.value)
        if owner is None:
            continue
        root, _, rest = owner.partition(".")
        if root not in aliases:
            continue
        target = ".".join(filter(None, [aliases[root], rest]))
        if target in modules() and target != module.name:
            offence(node.lineno, f"uses {target}.{node.attr}")
    return sorted(set(offences), key=lambda line: (int(line.split(":")[1]), line))


def test_no_module_uses_another_modules_private_names():
    offences = [line for module in modules().values() for line in private_name_uses(module)]

    assert offences == [], "private names used across modules (offer a public name instead):\n" + "\n".join(offences)


# --- pure rules --------------------------------------------------------------------------------


def pure_rule_modules() -> list[str]:
    """The source modules of the import-linter contract for pure rules: one list, in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {contract["id"]: contract for contract in config["tool"]["importlinter"]["contracts"]}
    return sorted(contracts["pure-rules"]["source_modules"])


PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


@pytest.mark.parametrize("name", pure_rule_modules())
def test_a_pure_rule_loads_neither_flask_nor_sqlalchemy(name):
    """Run in a fresh interpreter: a package __init__ or a lazy import would slip past import-linter."""
    probe = subprocess.run([sys.executable, "-c", PROBE, name], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert probe.returncode == 0, probe.stderr
    loaded = sorted(WEB_AND_DATABASE.intersection(json.loads(probe.stdout)))
    assert loaded == [], f"importing {name} loads {loaded}"


# --- templates ---------------------------------------------------------------------------------


def status_and_role_values() -> set[str]:
    """Every value of a status enum and of Role, as templates would spell them in quotes."""
    enums = [
        ("sales_service.orders.lifecycle", "OrderStatus"),
        ("sales_service.invoices.models", "InvoiceStatus"),
        ("sales_service.invoices.models", "CodeStatus"),
        ("sales_service.invoices.models", "CorrectionStatus"),
        ("sales_service.roles", "Role"),
    ]
    values = set()
    for module_name, enum_name in enums:
        node = next((node for node in tree(modules()[module_name]).body
                     if isinstance(node, ast.ClassDef) and node.name == enum_name), None)
        assert node is not None, f"{enum_name} moved out of {module_name}; update this list"
        values |= {statement.value.value for statement in node.body
                   if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)}
    return values


JINJA_EXPRESSION = re.compile(r"\{%-?(.*?)-?%\}|\{\{-?(.*?)-?\}\}", re.DOTALL)
FOR_HEADER = re.compile(r"^\s*for\s+[\w\s,()]+?\s+in\s+")
COMPARISON = re.compile(r"==|!=|\bin\b")
STATUS_OR_ROLE_TEST = re.compile(
    r"\b(status|role)(\.value|\.name)?\s*(==|!=|\bnot\s+in\b|\bin\b|\bis\b)"  # order.status == …, user.role in …
    r"|\b\w*(Status|Role)\.[A-Z]"  # OrderStatus.PAID, section.InvoiceStatus.ISSUED, Role.ADMIN
)
QUOTED = re.compile(r"""'([^'\\]*)'|"([^"\\]*)\"""")


def template_offences(text: str, values: set[str]) -> list[tuple[int, str]]:
    offences = []
    for match in JINJA_EXPRESSION.finditer(text):
        expression = match.group(1) if match.group(1) is not None else match.group(2)
        expression = FOR_HEADER.sub("", expression)  # `for x in xs` is a loop, not a test
        line = text.count("\n", 0, match.start()) + 1
        literals = {a or b for a, b in QUOTED.findall(expression)}
        if STATUS_OR_ROLE_TEST.search(expression) or (COMPARISON.search(expression) and literals & values):
            offences.append((line, " ".join(match.group(0).split())))
    return offences


@pytest.mark.parametrize("expression", [
    "{% if order.status == 'draft' %}",
    "{% if current_user.role in ('officer', 'admin') %}",
    "{% if order.status.value != 'paid' %}",
    "{% if order.status == OrderStatus.RETURNED %}",
    "{{ _('sah') if inv.status == section.InvoiceStatus.ISSUED else _('batal') }}",
    "{% if 'invoiced' == order.status %}",
    "{% for c in corrections if c.status != 'open' %}",
    "{% set can_review = is_officer\n   and order.status == 'submitted' %}",
    "{% if user.role is sameas Role.ADMIN %}",
])
def test_the_template_check_catches_a_status_or_role_comparison(expression):
    assert template_offences(expression, status_and_role_values())


@pytest.mark.parametrize("expression", [
    "{% if can('cancel', order) %}",
    "{{ _(status_labels[order.status]) }}",
    "{{ url_for('orders.queue', status='submitted') }}",
    "{% for s in all_statuses %}{% if s in statuses %}selected{% endif %}{% endfor %}",
    "{% if form.role.data == value %}",
    "{{ label(user.role) }}",
])
def test_the_template_check_lets_permission_helpers_and_labels_through(expression):
    assert template_offences(expression, status_and_role_values()) == []


def test_no_template_compares_an_order_status_or_a_role():
    values = status_and_role_values()
    offences = [f"{path.relative_to(ROOT).as_posix()}:{line}: {expression}"
                for path in sorted(TEMPLATES.rglob("*.html"))
                for line, expression in template_offences(path.read_text(encoding="utf-8"), values)]

    assert offences == [], "templates deciding by status or role (ask a permission helper):\n" + "\n".join(offences)


# --- views -------------------------------------------------------------------------------------


def is_view_module(module: Module) -> bool:
    """A ``views`` module, or any module that defines a blueprint (e.g. ``staff``)."""
    if module.name.rpartition(".")[2] == "views":
        return True
    return any(isinstance(node, ast.Call) and dotted(node.func) in ("Blueprint", "flask.Blueprint")
               for node in ast.walk(tree(module)))


def test_no_view_module_imports_another_view_module():
    views = {name for name, module in modules().items() if is_view_module(module)}
    assert {"sales_service.orders.views", "sales_service.staff"} <= views  # the finder still finds them

    offences = sorted({f"{modules()[name].source}:{line}: imports {imported}"
                       for name in views
                       for line, imported in imported_modules(modules()[name])
                       if imported in views and imported != name})

    assert offences == [], "views importing views (move the shared part to a service or web.py):\n" + "\n".join(
        offences)
