"""The one writer of output files: checked paths, atomic replacement, inputs never overwritten.

It sits beside ``_validation`` (it imports nothing of ours but that), so every
package may use it: games (``write_efg``), auctions (figures), io and cli.

Every file mechdesign writes (``--json``, ``--efg``, ``--nfg``, ``--plot``,
:func:`mechdesign.write_efg`, :func:`mechdesign.write_nfg`, ...) goes through
:func:`write_output`, which guarantees:

* **The path is checked first** (:func:`check_output`): an existing directory,
  a missing or non-directory parent folder, a folder or file that cannot be
  written, or something other than a regular file (a device, a FIFO) is a
  :class:`~mechdesign.errors.SpecError` naming the option — before anything
  is computed when the CLI calls it up front.
* **Inputs are never replaced.** The output may not be the same file (after
  resolving symbolic links and hard links) as any path passed in ``inputs``,
  nor any file read through :func:`mechdesign.io.loader.load_data` inside the
  current :func:`input_scope` (every CLI command runs in one, so a new command
  gets this protection without doing anything).
* **Atomic.** The data go to a temporary file in the target's folder, are
  flushed to disk, and the temporary file is then renamed over the target
  (``os.replace``). A full disk, a file-size limit or an interrupt leaves the
  previous file intact and removes the temporary file. A new file gets the
  permissions a plain ``open(path, "w")`` would give; a replaced file keeps
  its own.

Writers that produce files through a library (matplotlib's ``savefig``,
pygambit's ``to_efg``) render to memory first (``BytesIO`` / a string) and
pass the result here.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from mechdesign import _validation as v
from mechdesign.errors import SpecError

__all__ = ["write_output", "check_output", "input_scope", "record_input"]

_inputs: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("mechdesign_inputs", default=None)


@contextlib.contextmanager
def input_scope() -> Iterator[set[str]]:
    """Within this block, every file read by :func:`~mechdesign.io.loader.load_data` is protected.

    Yields the set of resolved input paths (it grows as files are read).
    Scopes nest; an inner scope also protects the files of the outer one.
    """
    outer = _inputs.get()
    current: set[str] = set(outer or ())
    token = _inputs.set(current)
    try:
        yield current
    finally:
        _inputs.reset(token)
        if outer is not None:
            outer |= current


def record_input(path: str | os.PathLike) -> None:
    """Mark ``path`` as an input of the running command (no-op outside an :func:`input_scope`)."""
    current = _inputs.get()
    if current is not None:
        current.add(os.path.realpath(path))


def _same_file(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output(path: str | os.PathLike, *, name: str = "path",
                 inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Validate an output path without writing anything; returns the resolved target.

    Parameters
    ----------
    path : str or path-like
        Where the output should go.
    name : str
        The option or argument named in error messages (e.g. ``"--json"``).
    inputs : iterable of path-like
        Files the same command reads; the output may not be one of them.

    Raises
    ------
    SpecError
        The path is empty, a directory, in a missing folder, not writable, not
        a regular file, or one of the inputs.
    """
    if not isinstance(path, (str, os.PathLike)) or str(path) == "":
        raise v.fail(name, "the path of a file to write", repr(path))
    given = str(path)
    target = Path(os.path.realpath(given))
    protected = [str(p) for p in inputs if p is not None and str(p) not in ("", "-")]
    protected += sorted(_inputs.get() or ())
    for source in protected:
        if _same_file(given, source):
            raise v.fail(name, "a file that is not an input of this command", f"{given}, which is being read")
    folder = target.parent
    if target.exists():
        mode = target.stat().st_mode
        if stat.S_ISDIR(mode):
            raise v.fail(name, "a file path", f"{given}, which is a directory")
        if not stat.S_ISREG(mode):
            raise v.fail(name, "the path of a regular file ('-' for standard output where offered)",
                         f"{given}, which is not a regular file")
        if not os.access(target, os.W_OK):
            raise v.fail(name, "a file that may be written", f"{given}, which is read-only")
    if not folder.is_dir():
        raise v.fail(name, "a path in an existing folder", f"{given}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise v.fail(name, "a path in a folder that may be written", f"{given}: no permission to write in {folder}")
    return target


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_output(path: str | os.PathLike, data: str | bytes, *, name: str = "path",
                 inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Write ``data`` to ``path`` atomically, never replacing an input (see the module docstring).

    Parameters
    ----------
    path : str or path-like
    data : str or bytes
        Text is written as UTF-8.
    name : str
        The option or argument named in error messages.
    inputs : iterable of path-like
        Files the same command reads (besides those recorded by the current scope).

    Returns
    -------
    Path
        The path written (as given).

    Raises
    ------
    SpecError
        A bad path (see :func:`check_output`) or a failed write (disk full,
        file-size limit, ...): the message names ``name`` and the reason; the
        old file, if any, is unchanged.
    """
    target = check_output(path, name=name, inputs=inputs)
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise v.fail("data", "str or bytes", type(data).__name__)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _new_file_mode()
    temp = None
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
        temp = None
    except OSError as exc:
        raise SpecError(f"{name}: a file that can be written (got {path}: {exc.strerror or exc}; "
                        "nothing was changed)") from None
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    return Path(path)
