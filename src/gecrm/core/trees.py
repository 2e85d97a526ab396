"""Set-based maintenance of materialised paths (see `TreeModel`)."""

from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr


def position(node, parent) -> dict:
    """The `parent`, `path` and `depth` of `node` placed under `parent` (a change set)."""
    return {
        "parent": parent,
        "path": node.make_path(parent.path if parent else None, node.code),
        "depth": parent.depth + 1 if parent else 0,
    }


def set_position(node, parent) -> None:
    """Set `node.parent`, `path` and `depth` in memory for a node placed under `parent`."""
    for name, value in position(node, parent).items():
        setattr(node, name, value)


def would_cycle(node, new_parent) -> bool:
    """True when `new_parent` is `node` itself or inside `node`'s subtree."""
    return new_parent is not None and node.pk is not None and new_parent.path.startswith(node.path)


def move_descendants(model, old_path: str, new_path: str) -> int:
    """Rewrite the paths of every strict descendant of the node that moved from `old_path`."""
    if old_path == new_path:
        return 0
    depth_shift = new_path.count("/") - old_path.count("/")
    return (
        model._base_manager.filter(path__startswith=old_path)
        .exclude(path=old_path)
        .update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
            depth=F("depth") + depth_shift,
        )
    )
