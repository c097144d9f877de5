"""Extraction and model selection on a real dask.distributed cluster (127.0.0.1).

The toolkit has no distributed code of its own: the extractors' ``n_jobs`` and
scikit-learn's ``GridSearchCV(n_jobs=...)`` both go through joblib, so any joblib
backend runs them. These tests start a real two-worker ``LocalCluster`` (separate
processes, so estimators, audio items and the cache handle are pickled to the
workers as they would be to another machine) and check that the results are those
of a local run.
"""

from pathlib import Path

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser import FrameStatistics, LogMelDeltas, OpenSmileIS10

distributed = pytest.importorskip("distributed")

# Two classes in every training fold of GroupKFold(3) over three speakers.
Y = np.array([0, 1, 0, 1, 0, 1])
GROUPS = np.array(["a", "a", "b", "b", "c", "c"])


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        memory_limit="1.5GiB",
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _cached_items(cache_dir):
    return sorted(Path(cache_dir).rglob("*.npy"))


def _grid_search(pipe, grid):
    return GridSearchCV(pipe, grid, cv=GroupKFold(n_splits=3), n_jobs=-1)


def test_extractor_n_jobs_on_dask_equals_local(client, wav_files, tmp_path):
    local = OpenSmileIS10().transform(wav_files)
    cache = tmp_path / "cache"
    with distributed.get_task_stream(client) as stream, parallel_backend("dask"):
        remote = OpenSmileIS10(n_jobs=-1, memory=cache).transform(wav_files)
    # The extraction ran as tasks on the cluster's workers, not in this process.
    workers = {task["worker"] for task in stream.data}
    assert workers and workers <= set(client.scheduler_info()["workers"])
    np.testing.assert_array_equal(remote, local)
    # The workers wrote one cache entry per file into the shared directory ...
    assert len(_cached_items(cache)) == len(wav_files)
    # ... which a local process then reads back.
    again = OpenSmileIS10(memory=cache).transform(wav_files)
    np.testing.assert_array_equal(again, local)


def test_is10_grid_search_on_dask_equals_local(client, wav_files, tmp_path):
    grid = {"svc__C": [0.1, 10.0], "svc__gamma": ["scale", 1e-4]}

    def pipe(memory):
        return make_pipeline(OpenSmileIS10(memory=memory), StandardScaler(), SVC())

    local = _grid_search(pipe(tmp_path / "local"), grid)
    local.set_params(n_jobs=1).fit(wav_files, Y, groups=GROUPS)

    cache = tmp_path / "shared"
    remote = _grid_search(pipe(cache), grid)
    with distributed.get_task_stream(client) as stream, parallel_backend("dask"):
        remote.fit(wav_files, Y, groups=GROUPS)
    assert len(stream.data) > 0

    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_allclose(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(
        remote.decision_function(wav_files), local.decision_function(wav_files)
    )
    # Every fold and candidate shared one extraction per file through the cache.
    assert len(_cached_items(cache)) == len(wav_files)


def test_logmel_grid_search_on_dask_equals_local(client, wav_files, tmp_path):
    grid = {"logisticregression__C": [0.01, 1.0]}

    def pipe(memory):
        return make_pipeline(
            LogMelDeltas(n_mels=16, memory=memory),
            FrameStatistics(),
            LogisticRegression(max_iter=500),
        )

    local = _grid_search(pipe(tmp_path / "local"), grid).set_params(n_jobs=1)
    local.fit(wav_files, Y, groups=GROUPS)
    remote = _grid_search(pipe(tmp_path / "shared"), grid)
    with parallel_backend("dask"):
        remote.fit(wav_files, Y, groups=GROUPS)

    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    np.testing.assert_allclose(
        remote.predict_proba(wav_files), local.predict_proba(wav_files), rtol=1e-6
    )


def test_extraction_on_a_backend_without_streaming(wav_files):
    # Ray's and Spark's joblib backends, like joblib's own "multiprocessing", cannot
    # return results as a generator; the extractors must still run on them.
    local = OpenSmileIS10().transform(wav_files)
    with parallel_backend("multiprocessing"):
        remote = OpenSmileIS10(n_jobs=2).transform(wav_files)
    np.testing.assert_array_equal(remote, local)
