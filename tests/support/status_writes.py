"""Find every place in the product that writes a lifecycle field, by reading the source.

A write is an assignment to ``<anything>.status`` / ``.state``, a ``status=``/``state=``
keyword to ``update``/``create``/``update_or_create``/``get_or_create``/``filter(...).update``,
a ``"status"``/``"state"`` key in their ``defaults``, or ``setattr(obj, "status", ...)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.services import ROOT

PRODUCT = ("kernel", "stories", "publishing", "moderation", "workers", "config")
WRITERS = {"update", "create", "update_or_create", "get_or_create", "bulk_create"}


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    field: str
    code: str


def product_modules() -> Iterator[Path]:
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def writes(fields: frozenset[str]) -> list[Write]:
    found: list[Write] = []
    for path in product_modules():
        source = path.read_text()
        lines = source.splitlines()
        relative = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(source, relative)):
            for field, line in _writes_in(node, fields):
                found.append(Write(relative, line, field, lines[line - 1].strip()))
    return found


def _writes_in(node: ast.AST, fields: frozenset[str]) -> Iterator[tuple[str, int]]:
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for leaf in ast.walk(target):
                store = isinstance(leaf, ast.Attribute) and isinstance(leaf.ctx, ast.Store)
                if store and leaf.attr in fields:  # type: ignore[attr-defined]
                    yield leaf.attr, leaf.lineno  # type: ignore[attr-defined]
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
        name = node.args[1]
        if isinstance(name, ast.Constant) and name.value in fields:
            yield str(name.value), node.lineno
    if isinstance(func, ast.Attribute) and func.attr in WRITERS:
        for keyword in node.keywords:
            if keyword.arg is None and func.attr == "update":  # update(**fields): unknowable
                yield "**", node.lineno
            if keyword.arg in fields:
                yield keyword.arg, node.lineno
            if keyword.arg == "defaults" and isinstance(keyword.value, ast.Dict):
                for key in keyword.value.keys:
                    if isinstance(key, ast.Constant) and key.value in fields:
                        yield str(key.value), node.lineno
