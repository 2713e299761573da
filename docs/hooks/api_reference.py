"""MkDocs hook: expand ``<!-- api-reference -->`` into one mkdocstrings block per public name.

The names come from ``mechdesign.__all__`` (grouped by the subpackage that defines
them) and from the ``__all__`` of each lazily imported subpackage listed in
``mechdesign._LAZY_SUBPACKAGES`` (``md.auctions``, ...), so a new public name or
subpackage appears in the API reference without editing the docs. Built with
``mkdocs build --strict``, a name that cannot be documented fails the build.
"""

from __future__ import annotations

import importlib
import inspect
import types

PLACEHOLDER = "<!-- api-reference -->"

GROUPS = {"model": "Environments and priors", "mechanisms": "Mechanisms", "analysis": "Audits and metrics",
          "games": "Bayesian games", "design": "Optimal design", "compute": "Scale", "display": "Display"}


def _defined_in(obj) -> str:
    module = getattr(obj, "__module__", "") or ""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def api_markdown() -> str:
    import mechdesign as md

    lines = ["## mechdesign", "", "`import mechdesign as md`: the names of `md.__all__`.", ""]
    modules, grouped = [], {}
    for name in md.__all__:
        obj = getattr(md, name)
        if isinstance(obj, types.ModuleType):
            modules.append(name)
            continue
        grouped.setdefault(_defined_in(obj), []).append(name)
    for key in sorted(grouped, key=lambda k: list(GROUPS).index(k) if k in GROUPS else len(GROUPS)):
        lines += [f"### {GROUPS.get(key, key.capitalize() or 'Other')}", ""]
        for name in grouped[key]:
            lines += [f"::: mechdesign.{name}", "    options:", "      heading_level: 4", ""]
    for name in modules:
        module = importlib.import_module(f"mechdesign.{name}")
        lines += [f"## mechdesign.{name}", ""]
        doc = inspect.getdoc(module)
        if doc:
            lines += [doc.split("\n\n")[0], ""]
        public = getattr(module, "__all__", None) or [
            n for n, o in vars(module).items() if not n.startswith("_") and getattr(o, "__module__", None) == module.__name__]
        for member in public:
            lines += [f"::: mechdesign.{name}.{member}", "    options:", "      heading_level: 3", ""]
    return "\n".join(lines)


def on_page_markdown(markdown, page, config, files):
    if PLACEHOLDER in markdown:
        return markdown.replace(PLACEHOLDER, api_markdown())
    return markdown
