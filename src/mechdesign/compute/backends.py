"""Where block kernels run: in this process (``"numpy"``) or on a Dask cluster (``"dask"``).

Every scalable entry point (audits, metrics, mechanism construction, sweeps)
takes the same five keywords, gathered here in :class:`Compute`:

``chunk_size``
    Profiles per block (rounded to whole tiles, see :mod:`.blocks`).
``memory_limit``
    Bytes of working memory per block, used when ``chunk_size`` is not given
    (default 64 MiB).
``backend``
    ``"numpy"`` (default): blocks run one after another in this process.
    ``"dask"``: blocks are tasks on a ``dask.distributed`` cluster.
``scheduler``
    With ``backend="dask"``: a scheduler address ``"tcp://host:port"``, a
    :class:`distributed.Client`, or None — the current default client if one
    exists, else an embedded :class:`distributed.LocalCluster` with one
    single-threaded worker per core (threads of this process), started once
    and reused.
``progress``
    None, a callable ``progress(done, total)`` called as blocks finish, or
    True: a rich progress bar on standard error in a terminal, a line updated
    in place in a Jupyter notebook, nothing when output is not a terminal
    (see :mod:`.progress`).

Which kernels run on the blocks — the compiled numba kernels of
:mod:`.kernels` or the numpy reference kernels — is not an argument: it is
chosen by the environment variable ``MECHDESIGN_KERNELS`` (``"auto"``, the
default: compiled kernels for problems large enough that loading them pays
off; ``"numba"``; ``"numpy"``), read when the options are validated. Both
give the same bits (docs/scale.md, "Compiled kernels").

Kernels are pure functions of a task and shared read-only data, and the
caller combines their results in task order, so results never depend on the
backend, the number of workers or on a task being re-run after a worker died.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mechdesign import _validation as v
from mechdesign.compute.blocks import profiles_per_block
from mechdesign.compute.progress import progress_reporter  # noqa: F401  (terminal bar, notebook line, or silence)

BACKENDS = ("numpy", "dask")

#: Values of the ``MECHDESIGN_KERNELS`` environment variable.
KERNELS = ("auto", "numba", "numpy")

#: With ``MECHDESIGN_KERNELS=auto``, a pass uses the compiled kernels when it reads at least this many
#: (player, profile) pairs; below, the numpy kernels finish before the compiled ones are loaded
#: (importing numba and loading the cached machine code take about a second of CPU per process).
COMPILED_MIN_WORK = 2**22

#: The same threshold once the compiled kernels are loaded in this process.
COMPILED_MIN_WORK_LOADED = 2**12

#: Tasks per worker a Dask run aims at when no block size is given (load balance vs overhead).
TASKS_PER_WORKER = 4


@dataclass(frozen=True)
class Compute:
    """Validated execution options (see the module docstring)."""

    chunk_size: int | None = None
    memory_limit: int | None = None
    backend: str = "numpy"
    scheduler: Any = None
    progress: Any = None
    kernels: str = field(default="auto", compare=False)

    def compiled(self, work: int) -> bool:
        """Whether a pass reading ``work`` (player, profile) pairs runs the compiled kernels."""
        if self.kernels == "auto":
            loaded = "mechdesign.compute.kernels" in sys.modules
            return work >= (COMPILED_MIN_WORK_LOADED if loaded else COMPILED_MIN_WORK)
        return self.kernels == "numba"

    def block_profiles(self, bytes_per_profile: int, n_profiles: int) -> int:
        """Profiles per block for a kernel needing ``bytes_per_profile`` over ``n_profiles`` profiles."""
        size = profiles_per_block(bytes_per_profile, self.chunk_size, self.memory_limit)
        if self.backend == "dask" and self.chunk_size is None:
            workers = max(1, sum(client(self.scheduler).nthreads().values()))
            size = min(size, max(1, -(-n_profiles // (TASKS_PER_WORKER * workers))))
        return size

    def run(self, kernel: Callable[..., Any], tasks: Sequence[Any], *shared: Any,
            description: str = "computing") -> list[Any]:
        """``[kernel(task, *shared) for task in tasks]``, on the chosen backend, in task order."""
        with progress_reporter(self.progress, description) as report:
            if self.backend == "numpy":
                out = []
                for task in tasks:
                    out.append(kernel(task, *shared))
                    report(len(out), len(tasks))
                return out
            return _run_dask(client(self.scheduler), kernel, list(tasks), shared, report)


def compute_options(chunk_size: Any = None, memory_limit: Any = None, backend: Any = "numpy",
                    scheduler: Any = None, progress: Any = None) -> Compute:
    """Validate the execution keywords once (SpecError naming the bad argument)."""
    for name, value in (("chunk_size", chunk_size), ("memory_limit", memory_limit)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise v.fail(name, "a positive integer or None", repr(value))
    backend = v.choice(backend, "backend", BACKENDS)
    if scheduler is not None:
        if backend != "dask":
            raise v.fail("scheduler", 'None unless backend="dask"', repr(scheduler))
        if not isinstance(scheduler, str) and type(scheduler).__name__ != "Client":
            raise v.fail("scheduler", 'an address "tcp://host:port" or a distributed.Client',
                         type(scheduler).__name__)
    if progress is not None and progress is not True and progress is not False and not callable(progress):
        raise v.fail("progress", "None, True (a progress bar) or a callable progress(done, total)",
                     type(progress).__name__)
    kernels = os.environ.get("MECHDESIGN_KERNELS", "auto").strip().lower() or "auto"
    if kernels not in KERNELS:
        raise v.fail("MECHDESIGN_KERNELS", f"one of {', '.join(KERNELS)}", repr(kernels))
    return Compute(chunk_size, memory_limit, backend, scheduler, progress or None, kernels)


# ------------------------------------------------------------------------------- dask
_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(scheduler: Any = None):
    """The :class:`distributed.Client` for a ``scheduler`` option (see the module docstring)."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler
    with _lock:
        if isinstance(scheduler, str):
            if scheduler not in _clients or _clients[scheduler].status != "running":
                _clients[scheduler] = Client(scheduler, set_as_default=False)
            return _clients[scheduler]
        try:
            return Client.current(allow_global=True)
        except ValueError:
            pass
        if "local" not in _clients or _clients["local"].status != "running":
            from distributed import LocalCluster

            # Worker threads in this process: spawned worker processes would re-run a user's
            # script that lacks an `if __name__ == "__main__":` guard, and forking a process
            # that already runs threads (BLAS, HiGHS) can deadlock. For process-level
            # parallelism, start a cluster yourself and pass it as `scheduler`.
            cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=False,
                                   dashboard_address=":0", silence_logs=logging.CRITICAL)
            _clients["local"] = Client(cluster, set_as_default=False)
        return _clients["local"]


def close_clients() -> None:
    """Close the clients (and the embedded cluster) this module opened."""
    with _lock:
        for c in _clients.values():
            cluster = c.cluster
            c.close()
            if cluster is not None:
                cluster.close()
        _clients.clear()


def _close_at_exit() -> None:
    # At interpreter exit the in-process comms may already be gone; their teardown noise is not news.
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    close_clients()


atexit.register(_close_at_exit)


def _run_dask(c, kernel: Callable[..., Any], tasks: list[Any], shared: tuple, report) -> list[Any]:
    from distributed import as_completed

    scattered = [c.scatter([s], broadcast=True, hash=False)[0] for s in shared]
    futures = c.map(kernel, tasks, *[[f] * len(tasks) for f in scattered], pure=False)
    position = {f.key: n for n, f in enumerate(futures)}
    out: list[Any] = [None] * len(tasks)
    done = 0
    try:
        for future in as_completed(futures, loop=c.loop):
            out[position[future.key]] = future.result()
            done += 1
            report(done, len(tasks))
    finally:
        c.cancel(futures)
        c.cancel(scattered)
    return out
