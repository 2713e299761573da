"""Progress reporting for long computations: a callback, a terminal bar, or a notebook line.

``progress=True`` shows where the user is looking:

* in a terminal (standard error is a TTY): a transient rich progress bar on stderr;
* in a Jupyter kernel: one text line updated in place through IPython's display
  machinery (no ipywidgets needed, so no "install ipywidgets" warning);
* otherwise (output piped or captured, a CI log): nothing at all.

``progress=callable`` receives ``progress(done, total)`` as blocks finish, in every
setting; None or False reports nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

#: Seconds between two refreshes of a notebook line.
NOTEBOOK_REFRESH = 0.2


def in_notebook() -> bool:
    """True inside a Jupyter (ZMQ) kernel, where output goes to a notebook, not a terminal."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:  # pragma: no cover - a broken IPython install
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def stderr_is_terminal() -> bool:
    """True when standard error is an interactive terminal."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _NotebookLine:
    """A text line in the notebook output, updated in place (throttled); its last state stays."""

    def __init__(self, description: str):
        from IPython.display import display

        self.description = description
        self.handle = display({"text/plain": f"{description}: starting"}, raw=True, display_id=True)
        self.last = 0.0
        self.state: tuple[int, int] | None = None
        self.shown: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        self.state = (done, total)
        now = time.monotonic()
        if now - self.last >= NOTEBOOK_REFRESH or done >= total:
            self._show()
            self.last = now

    def _show(self) -> None:
        done, total = self.state
        share = f" ({100 * done / total:.0f}%)" if total else ""
        self.handle.update({"text/plain": f"{self.description}: {done}/{total}{share}"}, raw=True)
        self.shown = self.state

    def close(self) -> None:
        if self.state is not None and self.shown != self.state:
            self._show()


class progress_reporter:
    """Context manager yielding ``report(done, total)`` for a progress option (None, True or a callable)."""

    def __init__(self, progress: Any, description: str):
        self.progress = progress
        self.description = description
        self.bar = None
        self.line = None

    def __enter__(self) -> Callable[[int, int], None]:
        if self.progress is True:
            if in_notebook():
                self.line = _NotebookLine(self.description)
                return self.line
            if stderr_is_terminal():
                from rich.console import Console
                from rich.progress import Progress

                self.bar = Progress(console=Console(stderr=True), transient=True)
                self.bar.start()
                task = self.bar.add_task(self.description, total=None)
                return lambda done, total: self.bar.update(task, completed=done, total=total)
            return lambda done, total: None
        if callable(self.progress):
            return self.progress
        return lambda done, total: None

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()
        if self.line is not None:
            self.line.close()
