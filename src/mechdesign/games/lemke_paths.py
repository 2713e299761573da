"""Several Lemke paths side by side, in this process or in worker processes.

On large Bayesian games the length of a tracing path depends enormously on its
prior (``benchmarks/bench_bne.py --paths`` prints the lengths from three priors
on 20 × 20 random games). :func:`lemke_portfolio` follows a few paths in lock-step rounds and
returns the first accepted solution: with p paths the cost is at most p times
the shortest, where restarting with doubling budgets discarded every
unfinished path.

Once the paths have spent ``handoff`` pivots without ending, each moves (its
whole state is a few arrays) to a worker process of its own, started as
``python -m mechdesign.games.lemke_paths`` — a fresh interpreter that imports
nothing of the caller's script. Threads would not help: a pivot is two BLAS
calls between Python steps, and two threads contending for the GIL were
slower than one. Rounds are examined in
path order after every path has finished its round, so the result does not
depend on the number of workers or on timing.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import numpy as np
from threadpoolctl import threadpool_limits

from mechdesign.errors import SolverError
from mechdesign.games.lemke import KernelLemke, LemkeOutcome


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                                           # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _LocalPath:
    """A path pivoted in this process."""

    def __init__(self, path: KernelLemke) -> None:
        self.path = path

    @property
    def status(self) -> str:
        return self.path.status

    @property
    def pivots(self) -> int:
        return self.path.pivots

    def send(self, step: int) -> None:
        self.path.advance(step)

    def receive(self) -> None:
        pass

    def solution(self) -> np.ndarray:
        return self.path.solution()

    def close(self) -> None:
        pass


class _WorkerPath:
    """A path pivoted in a worker process (pickled requests over its stdin/stdout)."""

    def __init__(self, path: KernelLemke) -> None:
        self.status, self.pivots = path.status, path.pivots
        # the child sees the caller's import path, so an uninstalled checkout works too
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(entry for entry in sys.path if entry))
        self.process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env)
        self._request("path", path)
        self._reply()

    def _request(self, *message: Any) -> None:
        assert self.process.stdin is not None
        try:
            pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise SolverError(f"a Lemke worker process ended unexpectedly ({exc})") from exc

    def _reply(self) -> Any:
        assert self.process.stdout is not None
        try:
            return pickle.load(self.process.stdout)
        except (EOFError, pickle.UnpicklingError) as exc:
            raise SolverError(f"a Lemke worker process ended unexpectedly (exit code "
                              f"{self.process.poll()})") from exc

    def send(self, step: int) -> None:
        self._request("advance", step)

    def receive(self) -> None:
        self.status, self.pivots = self._reply()

    def solution(self) -> np.ndarray:
        self._request("solution")
        return self._reply()

    def close(self) -> None:
        try:
            self._request("close")
        except SolverError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:                            # pragma: no cover - defensive
            self.process.kill()
            self.process.wait()


def _move_to_workers(active: list[_LocalPath | _WorkerPath]) -> list[_LocalPath | _WorkerPath] | None:
    """The paths moved to worker processes, or None (with a warning) when a worker cannot start.

    The local paths are left untouched until every worker runs, so a failure
    (no subprocesses allowed, a broken interpreter) only costs the speed-up.
    """
    moved: list[_LocalPath | _WorkerPath] = []
    try:
        for path in active:
            moved.append(_WorkerPath(path.path) if isinstance(path, _LocalPath) else path)
    except (OSError, SolverError) as exc:
        for worker in moved:
            worker.close()
        warnings.warn(f"Lemke paths stay in this process: a worker process could not start ({exc})",
                      RuntimeWarning, stacklevel=3)
        return None
    return moved


def lemke_portfolio(M: np.ndarray, q: np.ndarray, coverings: Iterator[np.ndarray], max_pivots: int,
                    accept: Callable[[np.ndarray], bool], paths: int = 2, workers: int = 1,
                    chunk: int = 2048, first_chunk: int = 64, handoff: int = 20_000,
                    on_round: Callable[[int], None] | None = None) -> tuple[LemkeOutcome, int]:
    """Follow ``paths`` Lemke paths side by side; the first accepted solution wins.

    Parameters
    ----------
    M, q : numpy.ndarray
        The LCP w = q + M z ≥ 0 ⊥ z ≥ 0.
    coverings : iterator of numpy.ndarray
        Covering vectors, one per path, used in order (also for replacements).
    max_pivots : int
        Pivots over all paths before giving up.
    accept : callable
        ``accept(z)`` says whether a path's solution is good; a refused one
        (rounding spoilt it) counts as a failed path.
    paths : int
        Paths followed at a time; a path that ends without an accepted
        solution (ray, or refused) is replaced by the next covering vector.
    workers : int
        Worker processes the paths move to after ``handoff`` pivots (1: none).
    chunk, first_chunk : int
        Pivots per path and round: ``first_chunk`` first, doubling up to ``chunk``,
        so that a short path ends the search early.
    handoff : int
        Pivots (over all paths) after which the paths move to worker processes.
    on_round : callable, optional
        Called with the pivots spent so far after every round.

    Returns
    -------
    tuple
        The :class:`~mechdesign.games.lemke.LemkeOutcome` (pivots summed over
        all paths; status ``"iteration_limit"`` once ``max_pivots`` are spent,
        else the last failure when ``coverings`` ran out) and the number of paths started.
    """
    active: list[_LocalPath | _WorkerPath] = []
    started, spent, last_failure = 0, 0, "iteration_limit"
    remote = tried_workers = False

    def new_path(covering: np.ndarray) -> _LocalPath | _WorkerPath:
        path = _LocalPath(KernelLemke(M, q, covering))
        moved = _move_to_workers([path]) if remote else None
        return path if moved is None else moved[0]

    def refill() -> None:
        nonlocal started
        while len(active) < paths:
            covering = next(coverings, None)
            if covering is None:
                return
            active.append(new_path(covering))
            started += 1

    limits = threadpool_limits(limits=1, user_api="blas")
    try:
        refill()
        size = max(1, min(first_chunk, chunk))
        while active and spent < max_pivots:
            if not tried_workers and workers > 1 and len(active) > 1 and spent >= handoff:
                tried_workers = True
                moved = _move_to_workers(active)
                if moved is not None:
                    remote, active = True, moved
            step = max(1, min(size, (max_pivots - spent) // len(active)))
            size = min(2 * size, chunk)
            before = sum(path.pivots for path in active)
            for path in active:
                path.send(step)
            for path in active:
                path.receive()
            spent += sum(path.pivots for path in active) - before
            if on_round is not None:
                on_round(spent)
            for path in list(active):
                if path.status == "success":
                    z = path.solution()
                    if accept(z):
                        return LemkeOutcome(z, "success", spent), started
                    last_failure = "inaccurate"
                elif path.status == "running":
                    continue
                else:
                    last_failure = path.status
                active.remove(path)
                path.close()
            refill()
        status = "iteration_limit" if spent >= max_pivots else last_failure
        return LemkeOutcome(None, status, spent), started
    finally:
        for path in active:
            path.close()
        limits.restore_original_limits()


def _serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Worker loop: hold one path, advance it on request, report status and solution."""
    path: KernelLemke | None = None
    with threadpool_limits(limits=1, user_api="blas"):
        while True:
            try:
                message = pickle.load(requests)
            except EOFError:
                return
            kind = message[0]
            if kind == "path":
                path = message[1]
                reply: Any = None
            elif kind == "advance":
                assert path is not None
                path.advance(message[1])
                reply = (path.status, path.pivots)
            elif kind == "solution":
                assert path is not None
                reply = path.solution()
            else:
                return
            pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
            replies.flush()


if __name__ == "__main__":
    # replies go to a private copy of stdout; anything printed by imported code goes to stderr
    _replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, _replies)
