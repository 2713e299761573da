"""Several Lemke paths raced side by side, in this process or in worker processes.

On Bayesian games the length of a tracing path depends enormously on its
prior (``benchmarks/bench_bne.py --paths`` prints it per prior and size), and
no prior is shortest on every game. :func:`lemke_portfolio` therefore races
paths: they are admitted one by one as the pivots spent pass given thresholds
(the cheapest start alone first, so a short game never pays for a second path),
advance in lock-step rounds of equal steps, and the first accepted solution
ends the race. With p paths admitted the cost is at most p times the shortest
after its admission, where restarting with doubling budgets discarded every
unfinished path.

Once ``handoff`` seconds of racing have passed and two or more paths race,
they move (a path's whole state is a few arrays) to worker processes, started
as ``python -m mechdesign.games.lemke_worker`` — a fresh interpreter that
imports nothing of the caller's script — after ``prestart`` seconds. A worker
loads the compiled pivots before it says it is ready, and paths move only to
ready workers: the race never waits for a worker's start-up (one to three
seconds of imports on a busy machine), so games solved in less than that never
pay for it. Threads would not help: two threads contending for the GIL were
slower than one. Rounds are examined in start order after every path has
finished its round, so the result does not depend on the number of workers,
on where a path runs or on timing.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO

import numpy as np

from mechdesign.errors import SolverError
from mechdesign.games.lemke import KernelLemke, LemkeOutcome, negated_columns


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                                           # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _path_state(path: KernelLemke) -> dict[str, Any]:
    """A path's arrays and counters without the LCP's columns (a worker holds one copy of those)."""
    return {key: value for key, value in path.__dict__.items() if key != "neg_columns"}


def _path_from_state(state: dict[str, Any], neg_columns: np.ndarray) -> KernelLemke:
    path = KernelLemke.__new__(KernelLemke)
    path.__dict__.update(state)
    path.neg_columns = neg_columns
    return path


class _Worker:
    """A worker process holding some paths of one LCP (pickled requests over its stdin/stdout).

    The process announces itself once its imports are done and its compiled
    code is loaded; :meth:`is_ready` asks without waiting, :meth:`wait_ready` waits.
    """

    def __init__(self) -> None:
        # the child sees the caller's import path, so an uninstalled checkout works too
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(entry for entry in sys.path if entry))
        self.process = subprocess.Popen([sys.executable, "-m", "mechdesign.games.lemke_worker"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.has_lcp = False
        self._ready = threading.Event()
        self._failure: SolverError | None = None
        self._hello = threading.Thread(target=self._await_hello, daemon=True)
        self._hello.start()

    def _await_hello(self) -> None:
        try:
            self.reply()
        except SolverError as exc:
            self._failure = exc
        self._ready.set()

    def is_ready(self) -> bool:
        """Whether the start-up is over (ready, or failed: :meth:`wait_ready` then raises)."""
        return self._ready.is_set()

    def wait_ready(self) -> None:
        self._ready.wait()
        if self._failure is not None:
            raise self._failure

    def request(self, *message: Any) -> None:
        assert self.process.stdin is not None
        try:
            pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise SolverError(f"a Lemke worker process ended unexpectedly ({exc})") from exc

    def reply(self) -> Any:
        assert self.process.stdout is not None
        try:
            return pickle.load(self.process.stdout)
        except (EOFError, pickle.UnpicklingError) as exc:
            raise SolverError(f"a Lemke worker process ended unexpectedly (exit code "
                              f"{self.process.poll()})") from exc

    def close(self) -> None:
        if not self._ready.is_set():           # still starting: it holds nothing, do not wait for it
            self.process.kill()
        else:
            try:
                self.request("close")
            except SolverError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:                            # pragma: no cover - defensive
            self.process.kill()
            self.process.wait()
        self._hello.join()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:                                      # pragma: no cover - a broken pipe
                    pass


class _Path:
    """One racing path: pivoted here (``worker`` None) or in a worker process, with its start index."""

    def __init__(self, index: int, path: KernelLemke) -> None:
        self.index = index
        self.path: KernelLemke | None = path        # the local state (kept until a move is committed)
        self.worker: _Worker | None = None
        self.status, self.pivots = path.status, path.pivots

    def send_to(self, worker: _Worker, neg_columns: np.ndarray) -> None:
        assert self.path is not None
        if not worker.has_lcp:
            worker.request("lcp", neg_columns)
            worker.has_lcp = True
        worker.request("add", self.index, _path_state(self.path))
        self.worker = worker

    def solution(self) -> np.ndarray:
        if self.worker is None:
            assert self.path is not None
            return self.path.solution()
        self.worker.request("solution", self.index)
        return self.worker.reply()

    def drop(self) -> None:
        if self.worker is not None:
            try:
                self.worker.request("drop", self.index)
            except SolverError:
                pass


class _Race:
    """The paths racing, where they run, and one lock-step round."""

    def __init__(self, neg_columns: np.ndarray) -> None:
        self.neg_columns = neg_columns
        self.active: list[_Path] = []
        self.workers: list[_Worker] = []
        self.remote = False
        self.gave_up = False                     # a worker could not start: everything stays here

    def prestart(self, count: int) -> None:
        """Start ``count`` worker processes (they import in the background); none on failure."""
        if self.gave_up:
            return
        try:
            while len(self.workers) < count:
                self.workers.append(_Worker())
        except OSError as exc:
            self._give_up(exc)

    def _give_up(self, exc: Exception) -> None:
        for worker in self.workers:
            worker.close()
        for path in self.active:
            path.worker = None
        self.workers, self.remote, self.gave_up = [], False, True
        warnings.warn(f"Lemke paths stay in this process: a worker process could not start ({exc})",
                      RuntimeWarning, stacklevel=4)

    def go_remote(self, count: int) -> None:
        """Move every path to the workers, or (with a warning) keep them here when a worker fails.

        The local states are dropped only once every worker answered, so a
        failure (no subprocesses allowed, a broken interpreter) only costs the speed-up.
        """
        self.prestart(count)
        if self.gave_up:
            return
        try:
            for worker in self.workers:
                worker.wait_ready()
            for path in self.active:
                path.send_to(self._least_loaded(), self.neg_columns)
            for worker in self.workers:
                worker.request("ping")
            for worker in self.workers:
                worker.reply()
        except SolverError as exc:
            self._give_up(exc)
            return
        for path in self.active:
            path.path = None
        self.remote = True

    def ready(self) -> bool:
        """Whether every worker started has finished starting (without waiting)."""
        return bool(self.workers) and all(worker.is_ready() for worker in self.workers)

    def _least_loaded(self) -> _Worker:
        loads = [sum(path.worker is worker for path in self.active) for worker in self.workers]
        return self.workers[int(np.argmin(loads))]

    def add(self, path: _Path) -> None:
        if self.remote:
            path.send_to(self._least_loaded(), self.neg_columns)
            path.path = None
        self.active.append(path)

    def round(self, step: int, between: Callable[[], None]) -> None:
        """Advance every active path by ``step`` pivots; ``between()`` runs while the workers pivot."""
        requests: dict[int, list[tuple[int, int]]] = {}
        for path in self.active:
            if path.worker is not None:
                requests.setdefault(id(path.worker), []).append((path.index, step))
        asked = [worker for worker in self.workers if id(worker) in requests]
        for worker in asked:
            worker.request("advance", requests[id(worker)])
        for path in self.active:
            if path.worker is None:
                assert path.path is not None
                path.path.advance(step)
                path.status, path.pivots = path.path.status, path.path.pivots
        between()
        by_index = {path.index: path for path in self.active}
        for worker in asked:
            for index, status, pivots in worker.reply():
                by_index[index].status, by_index[index].pivots = status, pivots

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
        self.workers = []


def lemke_portfolio(M: np.ndarray, q: np.ndarray, coverings: Iterator[np.ndarray], max_pivots: int,
                    accept: Callable[[np.ndarray], bool], paths: int = 2, workers: int = 1,
                    chunk: int = 2048, first_chunk: int = 64, handoff: float = 1.0,
                    on_round: Callable[[int], None] | None = None, admit: Sequence[int] | None = None,
                    prestart: float | None = None, neg_columns: np.ndarray | None = None,
                    first: KernelLemke | None = None) -> tuple[LemkeOutcome, int]:
    """Race Lemke paths side by side; the first accepted solution wins.

    Parameters
    ----------
    M, q : numpy.ndarray
        The LCP w = q + M z ≥ 0 ⊥ z ≥ 0 (``M`` may be None when ``neg_columns`` is given).
    coverings : iterator of numpy.ndarray
        Covering vectors, one per path, in start order (drawn lazily: a costly
        one is computed only when its path is admitted).
    max_pivots : int
        Pivots over all paths before giving up.
    accept : callable
        ``accept(z)`` says whether a path's solution is good; a refused one
        (rounding spoilt it) counts as a failed path.
    paths : int
        Paths racing at a time at most.
    workers : int
        Worker processes the paths move to after ``handoff`` seconds (1: none).
    chunk, first_chunk : int
        Pivots per path and round: ``first_chunk`` first, doubling up to ``chunk``,
        so that a short path ends the search early.
    handoff : float
        Seconds of racing after which racing paths move to worker processes,
        as soon as these are ready (the race does not wait for them); 0: before
        the first round, waiting for the workers.
    on_round : callable, optional
        Called with the pivots spent so far after every round.
    admit : sequence of int, optional
        The j-th path starts once this many pivots are spent (non-decreasing);
        after the last one a path starts only to replace a failed one. A failed
        path lets the next one start at once. Default: ``paths`` zeros (all at once).
    prestart : float, optional
        Seconds of racing after which the worker processes are started (default ``handoff / 2``).
    neg_columns : numpy.ndarray, optional
        ``−Mᵀ`` (:func:`.lemke.negated_columns`), when already computed.
    first : KernelLemke, optional
        A path already started (its pivots count as spent): the first of the
        race, ``coverings`` giving the next ones.

    Returns
    -------
    tuple
        The :class:`~mechdesign.games.lemke.LemkeOutcome` (pivots summed over
        all paths, ``path`` the start index of the winner; status
        ``"iteration_limit"`` once ``max_pivots`` are spent, else the last
        failure when ``coverings`` ran out) and the number of paths started.
    """
    thresholds = [0] * paths if admit is None else [int(a) for a in admit]
    prestart = handoff / 2 if prestart is None else prestart
    began = time.perf_counter()
    neg = negated_columns(M) if neg_columns is None else neg_columns
    race = _Race(neg)
    started, spent, failures, last_failure = 0, 0, 0, "iteration_limit"
    pending: list[np.ndarray] = []
    exhausted = False

    def next_covering() -> np.ndarray | None:
        nonlocal exhausted
        if pending:
            return pending.pop()
        covering = None if exhausted else next(coverings, None)
        exhausted = covering is None
        return covering

    def due() -> int:
        """Paths that should have started by now."""
        return sum(1 for t in thresholds if t <= spent) + failures

    def refill() -> None:
        nonlocal started
        while len(race.active) < paths and (started < due() or not race.active):
            covering = next_covering()
            if covering is None:
                return
            race.add(_Path(started, KernelLemke(None, q, covering, neg_columns=neg)))
            started += 1

    def prefetch() -> None:
        # the next path's covering vector (e.g. a regret-matching prior) is computed while workers pivot
        if not pending and not exhausted and race.remote and started < len(thresholds) + failures:
            covering = next_covering()
            if covering is not None:
                pending.append(covering)

    def examine() -> LemkeOutcome | None:
        """The accepted solution of a path that ended, if any (in start order); failed paths leave."""
        nonlocal failures, last_failure
        for path in list(race.active):
            if path.status == "success":
                z = path.solution()
                if accept(z):
                    return LemkeOutcome(z, "success", spent, path.index)
                last_failure = "inaccurate"
            elif path.status == "running":
                continue
            else:
                last_failure = path.status
            race.active.remove(path)
            path.drop()
            failures += 1
        return None

    if first is not None:
        race.add(_Path(0, first))
        started, spent = 1, first.pivots
    try:
        found = examine()
        if found is not None:
            return found, started
        refill()
        size = max(1, min(first_chunk, chunk))
        while race.active and spent < max_pivots:
            if workers > 1 and not race.remote and not race.gave_up and len(race.active) > 1:
                elapsed = time.perf_counter() - began
                if elapsed >= prestart:
                    race.prestart(workers)
                if handoff <= 0 or (elapsed >= handoff and race.ready()):
                    race.go_remote(workers)
            step = max(1, min(size, (max_pivots - spent) // len(race.active)))
            size = min(2 * size, chunk)
            before = sum(path.pivots for path in race.active)
            race.round(step, prefetch)
            spent += sum(path.pivots for path in race.active) - before
            if on_round is not None:
                on_round(spent)
            found = examine()
            if found is not None:
                return found, started
            refill()
        status = "iteration_limit" if spent >= max_pivots else last_failure
        return LemkeOutcome(None, status, spent), started
    finally:
        race.close()


def _serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Worker loop: hold some paths of one LCP, advance them on request, report statuses and solutions.

    First loads the compiled pivots (a 2 × 2 path) and says hello, so that
    the caller moves paths here only once pivoting can start at once.
    """
    KernelLemke(np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([-1.0, -1.0]), np.ones(2)).advance(10)
    pickle.dump("ready", replies, protocol=pickle.HIGHEST_PROTOCOL)
    replies.flush()
    neg_columns: np.ndarray | None = None
    paths: dict[int, KernelLemke] = {}
    while True:
        try:
            message = pickle.load(requests)
        except EOFError:
            return
        kind = message[0]
        if kind == "lcp":
            neg_columns = message[1]
            continue
        if kind == "add":
            assert neg_columns is not None
            paths[message[1]] = _path_from_state(message[2], neg_columns)
            continue
        if kind == "drop":
            paths.pop(message[1], None)
            continue
        if kind == "ping":
            reply: Any = None
        elif kind == "advance":
            reply = []
            for index, step in message[1]:
                path = paths[index]
                path.advance(step)
                reply.append((index, path.status, path.pivots))
        elif kind == "solution":
            reply = paths[message[1]].solution()
        else:
            return
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()
