"""The response-body field trees of the CCC 2020-07-01 operations the simulator serves.

``ccc_fields.json`` was generated from the official SDK's ``models/*_response_body.py`` (the SDK
is only a test dependency, so the tree ships as data). Handlers build a superset of fields and
``project`` keeps exactly the ones the SDK knows, so a response never carries an unknown field.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

FieldTree = dict[str, Any]  # name -> None (scalar) | FieldTree (object) | [FieldTree] (list)


@cache
def response_fields() -> dict[str, FieldTree]:
    text = resources.files(__package__).joinpath("ccc_fields.json").read_text(encoding="utf-8")
    loaded: dict[str, FieldTree] = json.loads(text)
    return loaded


def project(value: Any, tree: Any) -> Any:
    """Keep only the fields ``tree`` names, recursively; drop None values (the SDK omits them)."""
    if tree is None:
        return value
    if isinstance(tree, list):
        if not isinstance(value, list):
            return value
        return [project(item, tree[0]) for item in value]
    if not isinstance(value, dict):
        return value
    kept = {
        key: project(item, tree[key])
        for key, item in value.items()
        if key in tree and item is not None
    }
    # the SDK always emits lists of objects (as [] when absent), so the wire does too
    for key, sub in tree.items():
        if isinstance(sub, list) and sub and sub[0] is not None and key not in kept:
            kept[key] = []
    return kept


def project_body(action: str, body: dict[str, Any]) -> dict[str, Any]:
    tree = response_fields().get(action)
    if tree is None:
        return body
    projected: dict[str, Any] = project(body, tree)
    return projected
