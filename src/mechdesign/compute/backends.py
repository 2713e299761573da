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

Failures are fast and named: a scheduler address that is not ``scheme://host:port``
is a :class:`~mechdesign.errors.SpecError` before anything runs; a scheduler that
does not answer within :data:`CONNECT_TIMEOUT` seconds is one too; a cluster left
without any worker for :data:`NO_WORKER_GRACE` seconds during a run (all workers
lost), a lost scheduler, or a task that killed its workers repeatedly raises a
:class:`~mechdesign.errors.SolverError` saying so.
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
from mechdesign.errors import SolverError

BACKENDS = ("numpy", "dask")

#: Values of the ``MECHDESIGN_KERNELS`` environment variable.
KERNELS = ("auto", "numba", "numpy")

#: With ``MECHDESIGN_KERNELS=auto``, a pass uses the compiled kernels when it reads at least this many
#: (player, profile) pairs; below, the numpy kernels finish before the compiled ones are loaded
#: (importing numba and loading the cached machine code take about a second of CPU per process).
COMPILED_MIN_WORK = 2**22

#: The same threshold once the compiled kernels are loaded in this process.
COMPILED_MIN_WORK_LOADED = 2**12

#: Seconds to wait for a Dask scheduler to answer when connecting.
CONNECT_TIMEOUT = 10.0
#: Seconds a run waits while the cluster has no worker at all before giving up.
NO_WORKER_GRACE = 20.0
#: Address schemes of ``distributed`` that take ``host:port``.
_HOST_PORT_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")

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
        if isinstance(scheduler, str):
            check_address(scheduler)
    if progress is not None and progress is not True and progress is not False and not callable(progress):
        raise v.fail("progress", "None, True (a progress bar) or a callable progress(done, total)",
                     type(progress).__name__)
    kernels = os.environ.get("MECHDESIGN_KERNELS", "auto").strip().lower() or "auto"
    if kernels not in KERNELS:
        raise v.fail("MECHDESIGN_KERNELS", f"one of {', '.join(KERNELS)}", repr(kernels))
    return Compute(chunk_size, memory_limit, backend, scheduler, progress or None, kernels)


# ------------------------------------------------------------------------------- dask
def check_address(address: str) -> tuple[str, str, int | None]:
    """Validate a scheduler address (``tcp://host:port``, ``host:port``, ``inproc://...``) without connecting.

    Returns ``(scheme, host, port)`` (port None for ``inproc``); raises SpecError otherwise.
    """
    expected = 'a Dask scheduler address "tcp://host:port"'
    text = address.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    if scheme == "inproc" and rest:
        return scheme, rest, None
    if scheme not in _HOST_PORT_SCHEMES:
        raise v.fail("scheduler", expected, repr(address))
    host, colon, port = rest.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or any(c.isspace() for c in host) or "/" in host or not port.isdigit() \
            or not 0 < int(port) < 65536:
        raise v.fail("scheduler", expected, repr(address))
    return scheme, host, int(port)


def _connect(address: str):
    from distributed import Client

    scheme, host, port = check_address(address)
    if scheme == "tcp":
        import socket

        try:            # a refused or unroutable address fails here at once, not after distributed's retries
            socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
        except OSError as exc:
            raise v.fail("scheduler", "a running Dask scheduler", f"{address}: {exc.strerror or exc}") from None
    try:
        return Client(address, set_as_default=False, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise v.fail("scheduler", "a Dask scheduler answering within "
                     f"{CONNECT_TIMEOUT:g} s", f"{address}: {type(exc).__name__}: {exc}") from None


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
                _clients[scheduler] = _connect(scheduler)
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
    import time

    from distributed import as_completed

    try:
        if not c.nthreads():
            c.wait_for_workers(1, timeout=NO_WORKER_GRACE)
    except (OSError, TimeoutError):
        raise SolverError(f"dask: the cluster has no worker (none for {NO_WORKER_GRACE:g} s): every worker was "
                          "lost or none was started; start workers or use backend='numpy'") from None
    try:
        scattered = [c.scatter([s], broadcast=True, hash=False)[0] for s in shared]
    except (OSError, TimeoutError) as exc:
        raise SolverError(f"dask: could not send the data to the cluster ({type(exc).__name__}: {exc})") from None
    futures = c.map(kernel, tasks, *[[f] * len(tasks) for f in scattered], pure=False)
    position = {f.key: n for n, f in enumerate(futures)}
    out: list[Any] = [None] * len(tasks)
    done = 0
    queue = as_completed(futures, loop=c.loop)
    pause, last_look, alone_since = 0.001, time.monotonic(), None
    try:
        while done < len(tasks):
            finished = queue.next_batch(block=False)
            for future in finished:
                out[position[future.key]] = _result(future)
                done += 1
                report(done, len(tasks))
            if finished:
                pause, alone_since = 0.001, None
                continue
            time.sleep(pause)
            pause = min(2 * pause, 0.1)
            if time.monotonic() - last_look < 1.0:
                continue
            last_look = time.monotonic()     # about once a second: is anyone still working on this?
            if c.status not in ("running", "connecting"):
                raise SolverError(f"dask: lost the connection to the scheduler (client status {c.status!r}) "
                                  f"with {len(tasks) - done} of {len(tasks)} blocks unfinished")
            try:
                workers = c.nthreads() if c.status == "running" else {}
            except (OSError, TimeoutError):
                workers = {}
            if workers:
                alone_since = None
            elif alone_since is None:
                alone_since = last_look
            elif last_look - alone_since > NO_WORKER_GRACE:
                raise SolverError(f"dask: every worker of the cluster was lost (none for {NO_WORKER_GRACE:g} s) "
                                  f"with {len(tasks) - done} of {len(tasks)} blocks unfinished; start workers or "
                                  "use backend='numpy'")
    finally:
        c.cancel(futures)
        c.cancel(scattered)
    return out


def _result(future: Any) -> Any:
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        raise SolverError(f"dask: a block was lost with its worker too many times ({exc}); the workers may be "
                          "running out of memory (try a smaller chunk_size)") from None
    except CancelledError as exc:
        raise SolverError(f"dask: the cluster lost this run's data (workers lost or the cluster shut down: "
                          f"{exc}); start workers and run again, or use backend='numpy'") from None
