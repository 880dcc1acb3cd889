"""Collect every UI string and refresh the English catalogue.

Source strings are Indonesian. They come from templates (``_()``/``ngettext``)
and from Python: ``gettext``/``N_`` calls and the message templates of domain
errors (``raise InvalidInput("...")``, ``super().__init__("...")``), which the
web layer translates when it shows them.

    python scripts/messages.py          # add new strings to messages.po (empty msgstr)
    python scripts/messages.py --check  # exit 1 listing strings without English
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sales_service"
PO_FILE = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MARKERS = {"gettext", "ngettext", "N_", "_fail"}
BASE_ERRORS = {"DomainError", "InvalidInput", "NotFound", "PermissionDenied", "Conflict"}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _error_classes(trees: list[ast.AST]) -> set[str]:
    errors = set(BASE_ERRORS)
    changed = True
    while changed:
        changed = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in errors:
                    if any(_name(base) in errors for base in node.bases):
                        errors.add(node.name)
                        changed = True
    return errors


def python_messages() -> dict:
    files = sorted(PACKAGE.rglob("*.py"))
    trees = [ast.parse(path.read_text("utf-8"), str(path)) for path in files]
    callers = MARKERS | _error_classes(trees)
    found: dict[str, list[str]] = {}
    for path, tree in zip(files, trees, strict=True):
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = _name(node.func)
            is_super_init = name == "__init__" and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Call) and _name(node.func.value.func) == "super"
            if name in callers or is_super_init:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.strip():
                    found.setdefault(first.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def template_messages() -> dict:
    found: dict = {}
    method_map = [("**.html", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE / "templates"), method_map, options_map=options
    ):
        if message:  # a tuple (singular, plural) for ngettext
            found.setdefault(message, []).append(f"sales_service/templates/{filename}:{lineno}")
    return found


def all_messages() -> dict:
    messages = template_messages()
    for text, places in python_messages().items():
        messages.setdefault(text, []).extend(places)
    return messages


def read_catalogue() -> Catalog:
    with PO_FILE.open("rb") as handle:
        return read_po(handle, locale="en")


def untranslated(messages: dict[str, list[str]], catalogue: Catalog) -> list[str]:
    missing = []
    for text in messages:
        entry = catalogue.get(text[0] if isinstance(text, tuple) else text)
        if entry is None or not (entry.string if isinstance(entry.string, str) else all(entry.string)):
            missing.append(text)
    return missing


def update() -> int:
    catalogue = read_catalogue()
    messages = all_messages()
    added = 0
    for text, places in messages.items():
        key = text[0] if isinstance(text, tuple) else text
        if catalogue.get(key) is None:
            locations = [(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in places]
            catalogue.add(text, ("", "") if isinstance(text, tuple) else "", locations=locations)
            added += 1
    keys = {text[0] if isinstance(text, tuple) else text for text in messages}
    obsolete = [m.id for m in catalogue if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in keys]
    for message_id in obsolete:  # strings no longer in the code
        del catalogue[message_id]
    with PO_FILE.open("wb") as handle:
        write_po(handle, catalogue, width=100, sort_output=False, omit_header=False)
    print(f"{len(messages)} strings, {added} new, {len(obsolete)} removed; "
          f"untranslated: {len(untranslated(messages, catalogue))}")
    return 0


def check() -> int:
    missing = untranslated(all_messages(), read_catalogue())
    for text in missing:
        print(f"no English for: {text!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(check() if "--check" in sys.argv else update())
