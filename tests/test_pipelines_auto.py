"""The "auto" named pipeline: a search over named back-ends on the training speakers.

The rule itself (speaker folds of the training speakers, UA, one standard error) is
tested on synthetic features in tests/evaluation/test_switch.py; here, the
registry entry on audio: its candidates, their options, and the command line.
"""

import json

import numpy as np
import pandas as pd
import pytest

from sklearn_ser.cli import main
from sklearn_ser.evaluation import EstimatorSwitch, load_report
from sklearn_ser.features import OpenSmileIS10, WhisperEncoder
from sklearn_ser.pipelines import (
    AUTO_CANDIDATES,
    get_pipeline_spec,
    list_pipelines,
    make_named_pipeline,
)


def test_auto_builds_its_candidates_with_its_own_options(tmp_path):
    search = make_named_pipeline(
        "auto",
        memory=str(tmp_path),
        whisper_model="some/faster-whisper-base",
        random_state=3,
        probability=True,
    )
    switch = search.estimator
    assert isinstance(switch, EstimatorSwitch)
    names = [name for name, _ in switch.estimators]
    assert names == list(AUTO_CANDIDATES) == search.param_grid["choice"]
    assert names[0] == "whisper-layer-vote"  # the preferred one comes first
    for name, pipe in switch.estimators:
        # the layer vote's members, each a pipeline; the others are pipelines
        fronts = [p[0] for _, p in pipe.estimators] if name.endswith("vote") else []
        for front in fronts or [pipe[0]]:
            assert front.memory == str(tmp_path), name
            if isinstance(front, WhisperEncoder):
                assert front.model == "some/faster-whisper-base", name
            else:
                assert isinstance(front, OpenSmileIS10), name
    vote = dict(switch.estimators)["whisper-layer-vote"]
    assert len(vote.estimators) == 7  # base: the first block's input, its 6 layers
    # the SVMs calibrated, so that every candidate gives probabilities
    assert all(hasattr(pipe, "predict_proba") for _, pipe in switch.estimators)
    spec = get_pipeline_spec("auto")
    assert spec.task == "classification" and not spec.adapts_to_test_speaker
    assert "auto" in list_pipelines("classification")


def test_candidates_add_named_pipelines_in_the_order_given():
    names = [*AUTO_CANDIDATES, "logmel-attention"]
    search = make_named_pipeline("auto", candidates=names, random_state=0)
    assert search.param_grid["choice"] == names
    attention = dict(search.estimator.estimators)["logmel-attention"]
    assert attention[-1].random_state == 0


@pytest.mark.parametrize(
    "candidates, message",
    [
        (["whisper-logreg", "is11-svm"], "Unknown pipeline 'is11-svm'"),
        (["auto"], "cannot hold 'auto'"),
        (["is10-ridge"], "'is10-ridge' is a regression pipeline"),
        (["is10-svm-spkstd"], "'is10-svm-spkstd' adapts to the test speaker"),
        ([], "candidates is empty"),
        ("is10-svm", "candidates must be a list of pipeline names"),
        (["is10-svm", "is10-svm"], "candidates repeat a name"),
    ],
)
def test_bad_candidates_are_refused_by_name(candidates, message):
    with pytest.raises(ValueError, match=message):
        make_named_pipeline("auto", candidates=candidates)


def test_benchmark_command_runs_auto_and_reports_each_choice(
    tmp_path, data_home, whisper_model
):
    """24 EMOVO files, 4 speakers: 3 training speakers in each fold."""
    rows = []
    for speaker in ("f1", "f2", "m1", "m2"):
        for emo, label in (("rab", "anger"), ("neu", "neutral"), ("tri", "sadness")):
            files = sorted((data_home / "emovo" / speaker).glob(f"{emo}-*.wav"))[:2]
            rows += [(str(f), label, speaker) for f in files]
    manifest = tmp_path / "small.csv"
    pd.DataFrame(rows, columns=["path", "label", "speaker"]).to_csv(
        manifest, index=False
    )
    out = tmp_path / "out"
    args = ["benchmark", "--corpus", str(manifest), "--pipelines", "auto", "--quiet"]
    args += ["--whisper-model", whisper_model, "--cache", str(tmp_path / "cache")]
    with pytest.warns(UserWarning, match="3 speakers, so 3 folds"):
        assert main([*args, "--out", str(out)]) == 0
    entry = json.loads((out / "results.json").read_text())["auto"]
    assert entry["n_folds"] == 4 and entry["n_scored"] == 24
    report = load_report(out / "auto.json")
    for fold in report.folds:
        assert fold["best_params"]["choice"] in AUTO_CANDIDATES
    # the per-fold table of the pipeline's report names each choice
    table = (out / "auto.md").read_text()
    assert sum(f"choice={name}" in table for name in AUTO_CANDIDATES) >= 1
    assert np.isfinite(entry["UA_pooled"])
