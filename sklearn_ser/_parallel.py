"""joblib helpers shared by the extractors, the evaluation and the command line."""

import threading
import warnings
from contextlib import contextmanager

from joblib import Parallel, cpu_count
from joblib.parallel import get_active_backend

__all__ = ["cap_n_jobs", "one_blas_thread", "streaming_parallel"]

# per process: the threadpoolctl controller (built on first use), how many
# one_blas_thread() contexts are open, and the limiter the first one applied
_BLAS = {"controller": None, "open": 0, "limiter": None}
_BLAS_LOCK = threading.Lock()


def _local_backend():
    """True when the active joblib backend runs its workers on this machine."""
    from joblib._parallel_backends import (
        LokyBackend,
        MultiprocessingBackend,
        SequentialBackend,
        ThreadingBackend,
    )

    backend, _ = get_active_backend()
    local = (LokyBackend, MultiprocessingBackend, SequentialBackend, ThreadingBackend)
    return isinstance(backend, local)


def cap_n_jobs(n_jobs):
    """``n_jobs``, but never more workers than this machine has CPUs to run them.

    Every worker process loads its own models and audio, so ``n_jobs=1000`` on a
    16-core machine would hold 1000 copies in memory for no speed-up. A positive
    ``n_jobs`` above the CPUs this process may use (joblib's ``cpu_count``: CPU
    affinity and container quotas counted) becomes that number, with a
    :class:`UserWarning`. ``None``, negative values (``-1``: all CPUs) and the
    workers of a distributed backend (dask, ray: not this machine's CPUs) are
    returned unchanged.

    Parameters
    ----------
    n_jobs : int or None

    Returns
    -------
    n_jobs : int or None
    """
    if n_jobs is None or n_jobs <= 0 or not _local_backend():
        return n_jobs
    available = cpu_count()
    if n_jobs <= available:
        return n_jobs
    warnings.warn(
        f"n_jobs={n_jobs} is more than the {available} CPUs available here; using "
        f"{available} workers (each one holds its own copy of the models and audio, "
        "so more would only use memory).",
        UserWarning,
        stacklevel=3,
    )
    return available


def streaming_parallel(n_jobs, parallel_class=Parallel):
    """A ``Parallel`` that yields results as they finish, where the backend can.

    Progress bars and early errors need results as they come; joblib's
    "multiprocessing" backend and Ray's and Spark's joblib backends refuse
    ``return_as="generator"`` (ValueError), so there all results arrive at the end.
    ``n_jobs`` is capped at the CPUs available (:func:`cap_n_jobs`).
    """
    n_jobs = cap_n_jobs(n_jobs)
    try:
        return parallel_class(n_jobs=n_jobs, return_as="generator")
    except ValueError:
        return parallel_class(n_jobs=n_jobs)


@contextmanager
def one_blas_thread():
    """A context in which numpy's BLAS runs on one thread, in this process.

    A BLAS product sums in an order that depends on its number of threads, so
    the same audio gives features that differ in the last float32 bits (up to
    ~1e-5 for the Mel filterbank product) when extracted in this process (all
    cores) and in a joblib worker (one thread). Extraction runs in this context
    everywhere, so features do not depend on ``n_jobs``: a model trained on
    them (the attention classifier moves 114 of EMOVO's 588 predictions for such
    a difference) then does not either. Files are what extraction spreads over
    cores, so nothing is lost.

    The thread count is a setting of the whole process, and threads extract at
    once (the HTTP service, joblib's threading backend): the first context to
    open sets one thread and the last to close restores the former count, so no
    thread's exit lets BLAS widen again under another that is still extracting.
    """
    with _BLAS_LOCK:
        if _BLAS["open"] == 0:
            if _BLAS["controller"] is None:
                from threadpoolctl import ThreadpoolController

                # Scanning the loaded libraries costs ~40 ms: once per process.
                _BLAS["controller"] = ThreadpoolController()
            _BLAS["limiter"] = _BLAS["controller"].limit(limits=1, user_api="blas")
        _BLAS["open"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS["open"] -= 1
            if _BLAS["open"] == 0:
                _BLAS["limiter"].restore_original_limits()
                _BLAS["limiter"] = None
