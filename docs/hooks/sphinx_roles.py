"""Griffe extension: turn the docstrings' Sphinx roles into links of the API reference.

``:class:`~mechdesign.Environment``` and friends (``:func:``, ``:meth:``, ``:attr:``,
``:data:``, ``:exc:``, ``:obj:``) become ``[Environment][mechdesign.Environment]``
when the target is a documented public name (or a member of one), resolved as written,
relative to ``mechdesign`` / ``mechdesign.auctions`` or relative to the docstring's own
module and class. A target that names something real but undocumented (a private
helper, a module) becomes code. A target that names nothing at all is kept as a link,
so ``mkdocs build --strict`` fails on it: a broken reference breaks the build.
"""

from __future__ import annotations

import importlib
import re
import types
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(class|func|meth|mod|data|attr|obj|exc):`(~?)([^`]+?)`")
_MISSING = object()


def _public_paths() -> dict[int, str]:
    import mechdesign as md

    paths: dict[int, str] = {}

    def add(obj: Any, path: str) -> None:
        paths.setdefault(id(obj), path)
        if isinstance(obj, type):
            for attr, member in vars(obj).items():
                if not attr.startswith("_"):
                    paths.setdefault(id(member), f"{path}.{attr}")

    modules = []
    for name in md.__all__:
        obj = getattr(md, name)
        if isinstance(obj, types.ModuleType):
            modules.append(name)
        else:
            add(obj, f"mechdesign.{name}")
    for name in modules:
        module = getattr(md, name)
        public = getattr(module, "__all__", None) or [n for n, o in vars(module).items() if not n.startswith("_")
                                                      and getattr(o, "__module__", None) == module.__name__]
        for member in public:
            add(getattr(module, member), f"mechdesign.{name}.{member}")
    return paths


def _resolve(path: str) -> Any:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            owner = obj
            obj = getattr(obj, attr, _MISSING)
            if obj is _MISSING:
                return _MISSING
            if isinstance(owner, type) and attr in vars(owner):
                obj = vars(owner)[attr]         # the property / staticmethod object itself
        return obj
    return _MISSING


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx cross-reference roles in every docstring (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._paths: dict[int, str] | None = None

    def _link(self, match: re.Match, obj: griffe.Object) -> str:
        if self._paths is None:
            self._paths = _public_paths()
        kind, short, target = match.groups()
        target = target.strip().removesuffix("()")
        shown = target.rsplit(".", 1)[-1] if short else target.lstrip(".")
        module = obj.module.path if obj.module is not None else "mechdesign"
        owner = obj.path if isinstance(obj, griffe.Class) else (
            obj.parent.path if isinstance(obj.parent, griffe.Class) else None)
        bare = target.lstrip(".")
        candidates = [bare, f"mechdesign.{bare}", f"mechdesign.auctions.{bare}", f"{module}.{bare}",
                      f"{module.rsplit('.', 1)[0]}.{bare}"]
        if owner:
            candidates.insert(0, f"{owner}.{bare}")
        found = False
        for candidate in candidates:
            resolved = _resolve(candidate)
            if resolved is _MISSING:
                continue
            found = True
            public = self._paths.get(id(resolved))
            if public is not None and kind != "mod":
                return f"[`{shown}`][{public}]"
        if found:
            return f"`{shown}`"
        return f"[`{shown}`][{bare}]"          # names nothing: autorefs reports it, --strict fails

    def on_instance(self, *, node: Any, obj: griffe.Object, agent: Any, **kwargs: Any) -> None:
        if obj.docstring is not None and ":" in obj.docstring.value:
            obj.docstring.value = ROLE.sub(lambda m: self._link(m, obj), obj.docstring.value)
