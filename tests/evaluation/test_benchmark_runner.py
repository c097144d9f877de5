"""evaluation.run_benchmark / run_cross_corpus_benchmark: the benchmark loop of the
command line, as a library call (build -> warm the cache -> evaluate -> write)."""

import json
import warnings

import numpy as np
import pytest
from sklearn.utils import Bunch

from conftest import write_speaker_takes
from sklearn_ser.evaluation import (
    evaluate,
    evaluate_cross_corpus,
    run_benchmark,
    run_cross_corpus_benchmark,
)
from sklearn_ser.evaluation._benchmark import TABLE_HEADER
from sklearn_ser.pipelines import make_named_pipeline


def _corpus(root, voice, speakers, *, f0_shift=0.0, ratings=False):
    """Two classes (or their pitch as a rating) x 2 takes per speaker, 0.3 s each."""
    rows = write_speaker_takes(root, voice, speakers, f0_shift=f0_shift)
    return Bunch(
        filenames=np.array([path for path, *_ in rows]),
        target=np.array(
            [
                lo / 100.0 + 0.05 * take if ratings else label
                for _, label, _, lo, take in rows
            ]
        ),
        groups=np.array([spk for _, _, spk, _, _ in rows]),
        target_names=np.array(["arousal" if ratings else "label"]),
    )


@pytest.fixture
def alpha(tmp_path, voice):
    return _corpus(tmp_path / "alpha", voice, ["a1", "a2", "a3"])


def test_run_benchmark_writes_the_files_and_equals_evaluate(tmp_path, alpha):
    out = tmp_path / "out"
    params = {"memory": str(tmp_path / "cache"), "random_state": 0}
    names = ["is10-svm", "is10-svm-spkstd"]
    result = run_benchmark(
        names, alpha, cv=3, out=out, corpus="alpha", pipeline_params=params
    )
    assert [r.name for r in result.reports] == names
    results = json.loads((out / "results.json").read_text())
    assert list(results) == names
    for name, report in zip(names, result.reports):
        for suffix in ("json", "md", "png"):
            assert (out / f"{name}.{suffix}").stat().st_size > 0
        entry = results[name]
        assert entry["confusion_matrix_png"] == f"{name}.png"
        assert entry["corpus"] == "alpha" and entry["corpus_source"] == "alpha"
        assert entry["UA_pooled"] == pytest.approx(report.summary()["UA_pooled"])
        assert entry["time"] >= entry["fit_time"]
        # one line of the table per pipeline, with its pooled UA
        assert f"| {_label(name)} | " in result.table
        assert f" | {entry['UA_pooled']:.3f} | " in result.table

    # the same predictions as evaluate on the same pipeline
    direct = evaluate(
        make_named_pipeline("is10-svm", random_state=0),
        alpha.filenames,
        alpha.target,
        alpha.groups,
        cv=3,
    )
    np.testing.assert_array_equal(result.reports[0].y_pred, direct.y_pred)
    np.testing.assert_array_equal(result.reports[0].y_true, direct.y_true)

    text = (out / "report.md").read_text()
    assert text == result.summary
    assert text.startswith("# sklearn-ser benchmark: alpha\n")
    assert result.table.startswith(TABLE_HEADER + "\n|---|---|---|---|---|---|---|\n")
    assert result.table in text
    assert "## Per-class recall (pooled)" in text
    assert "## Paired comparisons, against is10-svm" in text
    assert "Chance level: UA 0.500 (1/2 classes" in result.legend[1]


def _label(name):
    return name + (" (adapts to test speaker)" if name.endswith("spkstd") else "")


def test_run_benchmark_on_ratings_writes_the_regression_table(tmp_path, voice):
    data = _corpus(tmp_path / "rated", voice, ["a1", "a2", "a3"], ratings=True)
    data.target = data.target.astype(float)
    out = tmp_path / "out"
    result = run_benchmark(["is10-ridge"], data, cv=3, out=out, corpus="rated")
    entry = json.loads((out / "results.json").read_text())["is10-ridge"]
    assert entry["scatter_png"] == "is10-ridge.png"
    assert (out / "is10-ridge.png").stat().st_size > 0
    assert entry["CCC_pooled"] == pytest.approx(
        result.reports[0].summary()["CCC_pooled"]
    )
    assert result.table.startswith("| pipeline | CCC | r | MAE |")
    assert result.table.splitlines()[1] == "|---" * 9 + "|"
    assert (
        (out / "report.md")
        .read_text()
        .startswith("# sklearn-ser benchmark: rated (arousal, regression)\n")
    )
    assert result.legend[0].startswith("Target: arousal, continuous: 12 ratings")
    direct = evaluate(
        make_named_pipeline("is10-ridge"),
        data.filenames,
        data.target,
        data.groups,
        cv=3,
    )
    np.testing.assert_allclose(result.reports[0].y_pred, direct.y_pred)
    # ratings of different corpora are not on one scale: no extra training data
    with pytest.raises(ValueError, match="extra_data is for class labels"):
        run_benchmark(["is10-ridge"], data, cv=3, extra_data={"other": data})


def test_estimators_by_name_and_nothing_written_without_out(tmp_path, alpha):
    model = make_named_pipeline("is10-svm", C=10.0)
    result = run_benchmark({"mine": model}, alpha, cv=3)
    assert list(result.entries) == ["mine"] and result.out is None
    assert result.table.splitlines()[-1].startswith("| mine | ")
    assert result.reports[0].y_pred.shape == (12,)
    assert not list(tmp_path.glob("**/results.json"))
    with pytest.raises(TypeError, match="list of registry names"):
        run_benchmark("is10-svm", alpha)
    with pytest.raises(ValueError, match="no-such-pipeline"):
        run_benchmark(["no-such-pipeline"], alpha)


def test_a_failing_pipeline_keeps_the_finished_ones(tmp_path, alpha):
    out = tmp_path / "out"
    seen = []
    bad = make_named_pipeline("is10-svm", C=-1.0)  # refused when fitted
    pipelines = {"good": make_named_pipeline("is10-svm"), "bad": bad}
    with pytest.raises(ValueError, match="C"):
        run_benchmark(pipelines, alpha, cv=3, out=out, callback=seen.append)
    assert [list(r.entries) for r in seen] == [["good"]]
    assert list(json.loads((out / "results.json").read_text())) == ["good"]
    assert seen[0].table in (out / "report.md").read_text()


def test_results_of_another_source_or_cv_are_replaced(tmp_path, alpha, capsys):
    out = tmp_path / "out"
    svm = {"svm": make_named_pipeline("is10-svm")}
    run_benchmark(svm, alpha, cv=3, out=out, source="/data/alpha.csv")
    run_benchmark(
        {"svm2": make_named_pipeline("is10-svm", C=10.0)},
        alpha,
        cv=3,
        out=out,
        source="/data/alpha.csv",
    )
    assert list(json.loads((out / "results.json").read_text())) == ["svm", "svm2"]
    # same name, another manifest: the earlier entries and their files go
    run_benchmark(svm, alpha, cv=3, out=out, source="/other/alpha.csv", verbose=1)
    assert list(json.loads((out / "results.json").read_text())) == ["svm"]
    assert not (out / "svm2.json").exists()
    assert "held earlier results; replacing svm, svm2" in capsys.readouterr().err
    # another cv over the same source: replaced too
    run_benchmark({"svm2": svm["svm"]}, alpha, cv=2, out=out, source="/other/alpha.csv")
    assert list(json.loads((out / "results.json").read_text())) == ["svm2"]


def test_cross_corpus_benchmark_equals_evaluate_cross_corpus(tmp_path, voice, alpha):
    beta = _corpus(tmp_path / "beta", voice, ["b1", "b2"], f0_shift=20.0)
    corpora = {"alpha": alpha, "beta": beta}
    plan = [(["alpha"], "beta"), (["beta"], "alpha")]
    out = tmp_path / "cross"
    params = {"memory": str(tmp_path / "cache"), "random_state": 0}
    result = run_cross_corpus_benchmark(
        ["is10-svm"],
        corpora,
        plan,
        out=out,
        sources={"alpha": "/a.csv", "beta": "/b.csv"},
        pipeline_params=params,
    )
    results = json.loads((out / "results.json").read_text())
    assert list(results) == ["is10-svm__alpha-to-beta", "is10-svm__beta-to-alpha"]
    entry = results["is10-svm__alpha-to-beta"]
    assert entry["corpus"] == "alpha -> beta"
    assert entry["corpus_source"] == "/a.csv -> /b.csv"
    assert entry["cross_corpus"]["classes"] == ["anger", "neutral"]
    # each pair's wall time counts the run's extraction, done once per pipeline
    assert entry["extraction_time"] > 0
    assert entry["time"] >= entry["extraction_time"] + entry["fit_time"]
    assert list(result.by_pair) == ["alpha -> beta", "beta -> alpha"]
    assert (out / "is10-svm__beta-to-alpha.png").stat().st_size > 0
    row = result.table.splitlines()[2]
    assert row.startswith("| is10-svm | alpha -> beta | 2 | ")
    assert "## alpha -> beta" in (out / "report.md").read_text()
    direct = evaluate_cross_corpus(
        make_named_pipeline("is10-svm", random_state=0),
        {"alpha": alpha},
        {"beta": beta},
    )
    np.testing.assert_array_equal(result.reports[0].y_pred, direct.y_pred)

    std = run_cross_corpus_benchmark(
        ["is10-svm"], corpora, plan[:1], per_corpus_standardization=True
    )
    assert list(std.entries) == ["is10-svm__alpha-to-beta__corpus-std"]
    assert "(adapts to test corpus)" in std.table


def test_the_command_shows_what_finished_when_a_pipeline_fails(tmp_path, voice, capsys):
    """sklearn-ser benchmark prints the table of the pipelines that finished."""
    import pandas as pd

    from sklearn_ser.cli import main

    data = _corpus(tmp_path / "alpha", voice, ["a1", "a2"])
    manifest = tmp_path / "labels.csv"
    pd.DataFrame(
        {"path": data.filenames, "label": data.target, "speaker": data.groups}
    ).to_csv(manifest, index=False)
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out"
    # the second pipeline pre-trains on LibriSpeech, which --data-home lacks
    args = ["benchmark", "--corpus", str(manifest), "--cv", "2", "--quiet"]
    args += ["--pipelines", "is10-svm,is10-neutral-dae-svm", "--no-cache"]
    assert main([*args, "--data-home", str(tmp_path / "empty"), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    table = captured.out.strip().splitlines()
    assert table[0] == TABLE_HEADER and table[2].startswith("| is10-svm | 0.")
    assert len(table) == 3
    assert (
        f"is10-neutral-dae-svm failed; the results of 1 finished pipeline(s) are in "
        f"{out}" in captured.err
    )
    assert "LibriSpeech corpus not found" in captured.err
    assert list(json.loads((out / "results.json").read_text())) == ["is10-svm"]


def test_unlabeled_rows_train_only_a_model_that_learns_from_them(tmp_path, alpha):
    # A manifest's "-1" rows: the SVM must not learn "-1" as a class; a
    # self-training model gets them; both predict them and never score them.
    from sklearn.model_selection import GridSearchCV
    from sklearn.semi_supervised import SelfTrainingClassifier

    from sklearn_ser.evaluation._benchmark import learns_from_unlabeled

    data = Bunch(**alpha)
    data.target = alpha.target.copy()
    data.target[::4] = "-1"
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_ser import OpenSmileIS10

    def pipe(head):
        return make_pipeline(
            OpenSmileIS10(memory=str(tmp_path / "c")), StandardScaler(), head
        )

    svm = pipe(LogisticRegression())
    self_training = pipe(SelfTrainingClassifier(LogisticRegression(), threshold=0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "-1 among its classes_"
        result = run_benchmark(
            {"svm": svm, "self": self_training},
            data,
            cv=3,
            pipeline_params={},
        )
    plain, semi = result.reports
    assert list(plain.labels) == list(semi.labels) == ["anger", "neutral"]
    assert "-1" not in plain.y_pred.tolist() and "-1" not in semi.y_pred.tolist()
    assert len(plain.y_pred) == len(data.target)  # every row predicted, "-1" unscored
    assert not np.array_equal(plain.proba, semi.proba)  # semi learned from them
    assert not learns_from_unlabeled(svm)
    grid = {"selftrainingclassifier__threshold": [0.5]}
    assert learns_from_unlabeled(GridSearchCV(self_training, grid))
    assert learns_from_unlabeled(make_named_pipeline("logmel-attention-semi"))
    assert not learns_from_unlabeled(make_named_pipeline("logmel-attention"))
