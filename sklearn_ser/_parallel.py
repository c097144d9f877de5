"""joblib helper shared by the extractors and the evaluation."""

from joblib import Parallel

__all__ = ["streaming_parallel"]


def streaming_parallel(n_jobs, parallel_class=Parallel):
    """A ``Parallel`` that yields results as they finish, where the backend can.

    Progress bars and early errors need results as they come; joblib's
    "multiprocessing" backend and Ray's and Spark's joblib backends refuse
    ``return_as="generator"`` (ValueError), so there all results arrive at the end.
    """
    try:
        return parallel_class(n_jobs=n_jobs, return_as="generator")
    except ValueError:
        return parallel_class(n_jobs=n_jobs)
