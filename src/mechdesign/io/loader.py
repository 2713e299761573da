"""The one safe reader of spec files (YAML or JSON): every command and ``load_*`` function uses it.

A spec is data: this module turns a file into plain Python data (dicts, lists,
strings, numbers, booleans, None) and nothing else, with bounded cost:

* **YAML 1.2 core schema.** Only ``true``/``false`` (any capitalisation of the
  spelled-out word: ``true``, ``True``, ``TRUE``) are booleans; ``yes``,
  ``no``, ``on``, ``off``, ``y``, ``n`` stay strings (PyYAML's ``safe_load``
  follows YAML 1.1, which turns them into booleans). Integers are decimal,
  ``0o`` octal or ``0x`` hexadecimal (``010`` is ten, not eight); floats
  include ``1e12`` (a string in YAML 1.1) and ``.inf``/``.nan``; ``null``,
  ``~`` and the empty value are None. Dates stay strings.
* **No tags that build objects.** Only the core tags (``!!str``, ``!!int``,
  ``!!float``, ``!!bool``, ``!!null``, ``!!seq``, ``!!map``) are understood;
  anything else (``!!python/...``, ``!!binary``, ``!!set``, custom tags) is an
  error. Merge keys (``<<``, a YAML 1.1 extra) are ordinary keys.
* **Bounded size.** At most :data:`MAX_FILE_BYTES` bytes; nesting at most
  :data:`MAX_DEPTH` levels (also after expanding aliases); aliases may expand
  the document to at most ``max(MAX_EXPANDED_NODES, ALIAS_EXPANSION_FACTOR ×
  written nodes)`` nodes (a "billion laughs" file is refused in milliseconds);
  integers beyond ±(2**63 − 1) and float literals that overflow to infinity are
  refused; duplicate keys are refused.
* **Clear errors.** Every problem (missing file, not a regular file, not
  UTF-8, bad syntax, the limits above) raises
  :class:`~mechdesign.errors.SpecError` with a one-line message naming the
  file and, where known, the line.

Every file read through :func:`load_data` is recorded as an *input* of the
running command (see :func:`mechdesign._files.input_scope`), so that
:func:`mechdesign._files.write_output` refuses to replace it.

Use :func:`load_data` for any new spec-reading code; :func:`parse_text` parses
text that is already in memory.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from mechdesign import _validation as v
from mechdesign._files import record_input
from mechdesign.errors import SpecError

__all__ = ["load_data", "parse_text", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_EXPANDED_NODES",
           "ALIAS_EXPANSION_FACTOR", "MAX_INT"]

#: Largest spec file read (bytes).
MAX_FILE_BYTES = 256 * 2**20
#: Deepest nesting of lists/mappings (a spec for N players nests about N + 3 levels).
MAX_DEPTH = 64
#: Nodes a document may reach by expanding aliases, whatever its written size ...
MAX_EXPANDED_NODES = 1_000_000
#: ... or this many times the nodes written in the file, whichever is larger.
ALIAS_EXPANSION_FACTOR = 10
#: Largest integer magnitude (int64); larger literals are refused.
MAX_INT = 2**63 - 1

_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_INT = re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT = re.compile(r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z")


class _Resolver(BaseResolver):
    """Implicit tags of the YAML 1.2 core schema (booleans, nulls, ints, floats), nothing else."""

    yaml_implicit_resolvers: dict = {}


_TAG = "tag:yaml.org,2002:"
for _tag, _regexp, _first in (("bool", _BOOL, "tTfF"), ("null", _NULL, ["~", "n", "N", ""]),
                              ("int", _INT, "-+0123456789"), ("float", _FLOAT, "-+0123456789.")):
    _Resolver.add_implicit_resolver(_TAG + _tag, _regexp, list(_first))


def _where(node: Any) -> str:
    mark = getattr(node, "start_mark", None)
    return f"line {mark.line + 1}" if mark is not None else "an unknown line"


class _Constructor(SafeConstructor):
    """Builds only str, int, float, bool, None, list and dict; refuses duplicate keys and huge numbers."""

    yaml_constructors: dict = {}
    source = "spec"

    def construct_core_bool(self, node: ScalarNode) -> bool:
        value = self.construct_scalar(node)
        if not _BOOL.match(value):
            raise ConstructorError(None, None, f"expected true or false, found {value!r}", node.start_mark)
        return value.lower() == "true"

    def construct_core_null(self, node: ScalarNode) -> None:
        self.construct_scalar(node)
        return None

    def construct_core_int(self, node: ScalarNode) -> int:
        text = self.construct_scalar(node)
        if not _INT.match(text):
            raise ConstructorError(None, None, f"expected an integer, found {text!r}", node.start_mark)
        digits = len(text.lstrip("+-"))
        if digits > 40:      # refuse before converting: int() of a huge literal is itself slow
            raise SpecError(f"{self.source}: integers of at most 19 digits (got a {digits}-digit integer "
                            f"at {_where(node)})")
        if text.startswith(("0o", "0x")):
            value = int(text[2:], 8 if text[1] == "o" else 16)
        else:
            value = int(text)
        if abs(value) > MAX_INT:
            raise SpecError(f"{self.source}: integers between -(2**63 - 1) and 2**63 - 1 (got {text} at {_where(node)})")
        return value

    def construct_core_float(self, node: ScalarNode) -> float:
        text = self.construct_scalar(node)
        lowered = text.lower()
        if lowered.endswith(".inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        if lowered == ".nan":
            return math.nan
        try:
            value = float(text)
        except ValueError:
            raise ConstructorError(None, None, f"expected a number, found {text!r}", node.start_mark) from None
        if math.isinf(value):
            raise SpecError(f"{self.source}: numbers within the float64 range, about ±1.8e308 (got {text} "
                            f"at {_where(node)})")
        return value

    def construct_core_map(self, node: MappingNode):
        data: dict = {}
        yield data
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError("while constructing a mapping", node.start_mark,
                                       "found a key that is a list or mapping", key_node.start_mark) from None
            if key in data:
                raise SpecError(f"{self.source}: each key once per mapping (got {key!r} twice, again at "
                                f"{_where(key_node)})")
            data[key] = self.construct_object(value_node, deep=True)


for _tag, _method in (("str", SafeConstructor.construct_yaml_str), ("seq", SafeConstructor.construct_yaml_seq),
                      ("map", _Constructor.construct_core_map), ("bool", _Constructor.construct_core_bool),
                      ("null", _Constructor.construct_core_null), ("int", _Constructor.construct_core_int),
                      ("float", _Constructor.construct_core_float)):
    _Constructor.add_constructor(_TAG + _tag, _method)
_Constructor.add_constructor(None, SafeConstructor.construct_undefined)


class _Composer(Composer):
    """PyYAML's composer with a bound on nesting depth (it recurses once per level)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise SpecError(f"{self.source}: lists and mappings nested at most {MAX_DEPTH} deep "
                                f"(got deeper nesting at line {event.start_mark.line + 1})")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(Reader, Scanner, Parser, _Composer, _Constructor, _Resolver):
    def __init__(self, stream: str, source: str):
        self.source = source
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def _children(node: Any) -> list:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_expansion(root: Any, source: str) -> None:
    """Refuse recursive aliases and documents whose aliases expand beyond the limits (linear time)."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            on_path.discard(key)
            continue
        if key in size:
            continue
        if key in on_path:
            raise SpecError(f"{source}: data without recursive aliases (got an alias inside its own anchor "
                            f"at {_where(node)})")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in _children(node) if id(k) not in size)
    written = len(size)
    limit = max(MAX_EXPANDED_NODES, ALIAS_EXPANSION_FACTOR * written)
    if size[id(root)] > limit:
        raise SpecError(f"{source}: aliases expanding to at most {limit:,} values (got {size[id(root)]:,} "
                        f"from {written:,} written)")
    if depth[id(root)] > MAX_DEPTH + 1:
        raise SpecError(f"{source}: lists and mappings nested at most {MAX_DEPTH} deep, aliases included "
                        f"(got {depth[id(root)] - 1})")


def _yaml(text: str, source: str) -> Any:
    loader = None
    try:
        loader = _Loader(text, source)
        root = loader.get_single_node()
        if root is None:
            return None
        _check_expansion(root, source)
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise SpecError(f"{source}: valid YAML (got {' '.join(str(problem).split())}{where})") from None
    finally:
        if loader is not None:
            loader.dispose()


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > 40 or abs(int(text)) > MAX_INT:
        raise SpecError(f"spec: integers between -(2**63 - 1) and 2**63 - 1 (got a {len(text)}-character integer)")
    return int(text)


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict:
    data: dict = {}
    for key, value in pairs:
        if key in data:
            raise SpecError(f"spec: each key once per object (got {key!r} twice)")
        data[key] = value
    return data


def _depth_of(data: Any) -> int:
    deepest, stack = 0, [(data, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            level += 1
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack.extend((x, level) for x in (item.values() if isinstance(item, dict) else item))
    return deepest


def _json(text: str, source: str) -> Any:
    try:
        data = json.loads(text, parse_int=_json_int, object_pairs_hook=_json_pairs)
    except json.JSONDecodeError as exc:
        raise SpecError(f"{source}: valid JSON (got {exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise SpecError(f"{source}: lists and objects nested at most {MAX_DEPTH} deep (got far deeper)") from None
    if _depth_of(data) > MAX_DEPTH:
        raise SpecError(f"{source}: lists and objects nested at most {MAX_DEPTH} deep (got deeper)")
    return data


def parse_text(text: str, *, fmt: str = "yaml", source: str = "spec") -> Any:
    """Parse spec text that is already in memory.

    Parameters
    ----------
    text : str
        YAML (1.2 core schema, see the module docstring) or JSON.
    fmt : {"yaml", "json"}
    source : str
        How error messages name the text (e.g. the file name).

    Returns
    -------
    Plain data: dict, list, str, int, float, bool or None.

    Raises
    ------
    SpecError
        Bad syntax or a limit of the module docstring exceeded.
    """
    v.choice(fmt, "fmt", ("yaml", "json"))
    if not isinstance(text, str):
        raise v.fail("text", "a str", type(text).__name__)
    return _json(text, source) if fmt == "json" else _yaml(text, source)


def load_data(path: str | os.PathLike, *, name: str = "spec") -> Any:
    """Read a YAML or JSON spec file (JSON when the name ends in ``.json``) into plain data.

    Parameters
    ----------
    path : str or path-like
    name : str
        The argument name used in error messages (e.g. ``"SPEC"``).

    Returns
    -------
    Plain data (see :func:`parse_text`).

    Raises
    ------
    SpecError
        Missing or unreadable file, not a regular file, larger than
        :data:`MAX_FILE_BYTES`, not UTF-8, bad syntax, or a limit of the module
        docstring exceeded.
    """
    if not isinstance(path, (str, os.PathLike)) or str(path) == "":
        raise v.fail(name, "the path of a YAML or JSON file", repr(path))
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise v.fail(name, "a readable YAML or JSON file", f"{path}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise v.fail(name, "a YAML or JSON file", f"{path}: {kind}")
    if info.st_size > MAX_FILE_BYTES:
        raise v.fail(name, f"a file of at most {MAX_FILE_BYTES // 2**20} MiB", f"{path}: {info.st_size:,} bytes")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise v.fail(name, "a readable YAML or JSON file", f"{path}: {exc.strerror}") from None
    record_input(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise v.fail(name, "a UTF-8 text file", f"{path}: byte {exc.start} is not UTF-8") from None
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse_text(text, fmt=fmt, source=f"{name} {path}")
