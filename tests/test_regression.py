"""Continuous targets: CCC, r, MAE, speaker intervals, reports, loader, CLI."""

import json

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from scipy.stats import pearsonr
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.utils import Bunch

from conftest import synth_voice
from sklearn_ser import load_model
from sklearn_ser._task import check_target_for, column_task
from sklearn_ser.cli import _parse_pipelines, main
from sklearn_ser.cli._targets import pipelines_for_target
from sklearn_ser.datasets import load_manifest
from sklearn_ser.evaluation import (
    EvaluationReport,
    RegressionReport,
    compare_reports,
    concordance_correlation_coefficient,
    evaluate,
    get_regression_scorers,
    load_report,
    paired_regression_comparison,
    paired_table,
    pearson_correlation,
    speaker_bootstrap_regression,
)
from sklearn_ser.evaluation._stats import _draw_weights
from sklearn_ser.pipelines import get_pipeline_spec, list_pipelines, make_named_pipeline

T = [1.0, 2.0, 3.0, 4.0]
P = [2.0, 2.0, 4.0, 5.0]


# ---------------------------------------------------------------------- metrics
def test_ccc_r_mae_by_hand():
    # means 2.5 and 3.25; population variances 5/4 and 27/16; covariance 11/8
    ccc = 2 * (11 / 8) / (5 / 4 + 27 / 16 + (2.5 - 3.25) ** 2)
    assert ccc == pytest.approx(11 / 14)
    assert concordance_correlation_coefficient(T, P) == pytest.approx(11 / 14)
    r = (11 / 8) / np.sqrt(5 / 4 * 27 / 16)
    assert pearson_correlation(T, P) == pytest.approx(r)
    assert pearson_correlation(T, P) == pytest.approx(pearsonr(T, P)[0])
    scores = get_regression_scorers()
    assert set(scores) == {"CCC", "r", "MAE"}
    assert mean_absolute_error(T, P) == pytest.approx(0.75)  # |1|+0+|1|+|1| / 4


def test_ccc_penalises_offset_and_scale_where_r_does_not():
    t = np.array(T)
    # the mean-difference term: p = t + 1 has r = 1 but CCC 2.5 / (2.5 + 1)
    assert pearson_correlation(t, t + 1) == pytest.approx(1.0)
    assert concordance_correlation_coefficient(t, t + 1) == pytest.approx(2.5 / 3.5)
    # the variance terms: p = 2 t has r = 1 but CCC 2*2.5 / (1.25 + 5 + 6.25)
    assert concordance_correlation_coefficient(t, 2 * t) == pytest.approx(5 / 12.5)
    assert concordance_correlation_coefficient(t, t) == 1.0
    assert concordance_correlation_coefficient(t, -t + 5) == pytest.approx(-1.0)
    # a constant guess: CCC 0, r undefined
    assert concordance_correlation_coefficient(t, np.full(4, 2.5)) == 0.0
    assert np.isnan(pearson_correlation(t, np.full(4, 2.5)))
    # large offsets do not cancel the moments out (they are centred first)
    assert concordance_correlation_coefficient(t + 1e8, np.array(P) + 1e8) == (
        pytest.approx(11 / 14)
    )
    with pytest.raises(ValueError, match="finite"):
        concordance_correlation_coefficient([1.0, np.nan], [1.0, 2.0])


def test_speaker_bootstrap_replicate_is_the_pooled_score_of_the_draw(rng):
    y = rng.normal(size=40)
    pred = y + rng.normal(scale=0.7, size=40)
    groups = np.repeat(["a", "b", "c", "d", "e"], 8)
    ci = speaker_bootstrap_regression(y, pred, groups, n_boot=1, random_state=3)
    (w,) = _draw_weights(5, 1, 3)  # how often each speaker was drawn
    drawn = np.concatenate(
        [np.flatnonzero(groups == s).repeat(int(k)) for s, k in zip("abcde", w)]
    )
    assert ci["CCC"][0] == pytest.approx(
        concordance_correlation_coefficient(y[drawn], pred[drawn])
    )
    assert ci["MAE"][0] == pytest.approx(np.abs(y[drawn] - pred[drawn]).mean())
    assert ci["r"][0] == pytest.approx(pearson_correlation(y[drawn], pred[drawn]))
    wide = speaker_bootstrap_regression(y, pred, groups, n_boot=300)
    pooled = concordance_correlation_coefficient(y, pred)
    assert wide["CCC"][0] < pooled < wide["CCC"][1]
    assert wide["n_speakers"] == 5


# ------------------------------------------------------------ evaluate / report
def _linear(rng, n_speakers=6, n=12, noise=0.3):
    X = rng.normal(size=(n_speakers * n, 4))
    y = X @ [1.0, -0.5, 0.3, 0.0] + noise * rng.normal(size=len(X))
    groups = np.repeat([f"s{i}" for i in range(n_speakers)], n)
    return X, y, groups


def test_evaluate_regressor_gives_a_regression_report(rng, tmp_path):
    X, y, groups = _linear(rng)
    y[:3] = -1.0  # a rating, not the unlabeled marker
    report = evaluate(Ridge(), X, pd.Series(y, name="valence"), groups)
    assert isinstance(report, RegressionReport) and report.task == "regression"
    assert report.target == "valence" and report.n_folds == 6
    assert report.summary()["n_scored"] == len(y)  # -1 scored too
    assert report.CCC_pooled > 0.9
    sel = report.fold == 0
    assert report.folds[0]["CCC"] == pytest.approx(
        concordance_correlation_coefficient(report.y_true[sel], report.y_pred[sel])
    )
    assert report.MAE_pooled == pytest.approx(
        mean_absolute_error(report.y_true, report.y_pred)
    )
    ci = report.confidence_intervals()
    assert ci["CCC"][0] < report.CCC_pooled < ci["CCC"][1]
    text = report.to_markdown()
    assert "valence (regression)" in text and "CCC" in text
    assert "WA" not in text and "Confusion" not in text
    again = load_report(report.to_json(tmp_path / "r.json"))
    assert isinstance(again, RegressionReport)
    assert again.CCC_pooled == report.CCC_pooled and again.target == "valence"
    assert again.summary()["CCC_ci"] == report.summary()["CCC_ci"]
    with pytest.raises(ValueError, match="regression report"):
        EvaluationReport.from_json(tmp_path / "r.json")
    report.plot_predictions(path=tmp_path / "scatter.png")
    assert (tmp_path / "scatter.png").stat().st_size > 5000


def test_tasks_are_refused_across(rng):
    X, y, groups = _linear(rng)
    with pytest.raises(ValueError, match="classifier, but y is continuous"):
        evaluate(LogisticRegression(), X, y, groups)
    with pytest.raises(ValueError, match="regressor, but y holds class labels"):
        evaluate(Ridge(), X, np.where(y > 0, "high", "low"), groups)
    with pytest.raises(ValueError, match="missing or infinite"):
        evaluate(Ridge(), X, np.r_[np.nan, y[1:]], groups)
    # whole numbers are class codes for a classifier
    assert check_target_for(LogisticRegression(), np.r_[0.0, 1.0]) == "classification"


def test_paired_regression_comparison_and_tables(rng):
    X, y, groups = _linear(rng, noise=0.5)
    y[:3] = -1.0  # ratings, compared like any other
    good = evaluate(Ridge(), X, y, groups, name="ridge")
    bad = evaluate(Ridge(alpha=300.0), X, y, groups, name="shrunk")  # shrinks
    c = paired_regression_comparison(good, bad, n_boot=300)
    assert c["CCC_diff"] == pytest.approx(bad.CCC_pooled - good.CCC_pooled)
    assert c["CCC_diff"] < 0 and c["CCC_diff_ci"][1] < 0
    assert c["n"] == len(y) and c["n_speakers"] == 6
    table = paired_table([good, bad], n_boot=300)
    assert table.index.tolist() == ["shrunk vs ridge"]
    assert table["within_noise"].tolist() == [False]
    frame = compare_reports([good, bad])
    assert frame.loc["ridge", "CCC_pooled"] == pytest.approx(good.CCC_pooled)
    classes = evaluate(
        LogisticRegression(), X, np.where(y > 0, "high", "low"), groups, name="lr"
    )
    with pytest.raises(ValueError, match="classification and regression"):
        compare_reports([good, classes])


# ---------------------------------------------------------------------- loader
def _write_manifest(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def rated_corpus(tmp_path_factory):
    """4 speakers x 6 utterances whose arousal sets the pitch: a learnable target.

    Arousal a in [0, 1] gives a pitch contour from 100 + 160 a Hz up by 60 Hz and
    a louder voice; each speaker adds an offset of its own to the pitch.
    """
    folder = tmp_path_factory.mktemp("rated")
    rng = np.random.default_rng(1)
    rows = []
    for s in range(4):
        for k in range(6):
            a = round(float(rng.uniform(0, 1)), 3)
            f0 = 100 + 160 * a + 8 * (s - 1.5)
            sig = synth_voice(0.8, f0=(f0, f0 + 60), seed=10 * s + k)
            sig = sig * (0.4 + 0.6 * a)
            name = f"spk{s}/utt{k}.wav"
            (folder / f"spk{s}").mkdir(exist_ok=True)
            sf.write(folder / name, sig, 16000)
            rows.append({"path": name, "speaker": f"spk{s}", "arousal": a})
    manifest = _write_manifest(folder / "ratings.csv", rows)
    return manifest, tmp_path_factory.mktemp("rated_cache")


def test_manifest_rule_and_ratings(rated_corpus, tmp_path):
    manifest, _ = rated_corpus
    data = load_manifest(manifest, label_column="arousal")
    assert data.target.dtype == np.float64 and data.target_names.tolist() == ["arousal"]
    frame = pd.read_csv(manifest)
    order = np.argsort([str(manifest.parent / p) for p in frame.path])
    np.testing.assert_array_equal(data.target, frame.arousal.to_numpy()[order])
    # whole numbers stay class labels, unless regression is asked for
    audio = [str(manifest.parent / p) for p in frame.path[:4]]
    codes = _write_manifest(
        tmp_path / "codes.csv",
        {"path": audio, "label": [0, 1, 2, -1], "speaker": ["a", "a", "b", "b"]},
    )
    assert load_manifest(codes).target.tolist() == ["0", "1", "2", "-1"]
    rated = load_manifest(codes, task="regression")
    assert rated.target.tolist() == [0.0, 1.0, 2.0, -1.0]
    assert column_task(["1", "", "2.5"]) == "regression"
    assert column_task(["1", "x", "2.5"]) == "classification"
    bad = _write_manifest(
        tmp_path / "bad.csv",
        {"path": audio, "label": [0.5, "high", 0.25, ""], "speaker": list("aabb")},
    )
    with pytest.raises(ValueError, match=r"bad.csv:3: 'label': rating 'high'"):
        load_manifest(bad, task="regression")
    with pytest.raises(ValueError, match=r"bad.csv:5: 'label': empty rating"):
        load_manifest(bad, task="regression")
    with pytest.raises(ValueError, match="label_map is for class labels"):
        load_manifest(manifest, label_column="arousal", label_map={"x": "y"})


# ------------------------------------------------------------------- pipelines
def test_regression_pipelines_registered():
    assert list_pipelines("regression") == ["is10-ridge", "is10-svr", "whisper-ridge"]
    assert get_pipeline_spec("is10-svm").task == "classification"
    assert "is10-ridge" not in list_pipelines("classification")
    # the classification defaults
    assert _parse_pipelines(None) == ["is10-svm", "whisper-layer-vote"]
    # a continuous target gets the regression defaults
    ratings = Bunch(target=np.array([0.5, 1.5]), target_names=np.array(["arousal"]))
    assert pipelines_for_target(None, ratings, what="x") == [
        "is10-ridge",
        "whisper-ridge",
    ]
    pipe = make_named_pipeline("is10-svr", C=3.0)
    assert pipe.steps[-1][1].regressor.C == 3.0


@pytest.mark.parametrize("name", ["is10-ridge", "is10-svr", "whisper-ridge"])
def test_regression_pipelines_stay_in_range_off_near_constant_features(name, rng):
    # Two IS10 functionals seen to send a StandardScaler -> Ridge to predict 10^3
    # to 10^4 for ratings in -1..1 (float32 features, as the extractors give):
    # column 4 spans 1e-5 over training (a test value of 0.5 is 10^5 standard
    # deviations out); column 5 is float round-off, of order 1e-9 (EMOVO).
    X = rng.normal(size=(60, 6)).astype(np.float32)
    X[:, 4] = 1e-5 * rng.normal(size=60)
    X[:, 5] = 1e-9 * rng.normal(size=60)
    y = X[:, 0] + 0.1 * rng.normal(size=60)
    back_end = make_named_pipeline(name)[1:]  # the steps after the extractor
    back_end.fit(X, y)
    for column, value in ((4, 0.5), (5, 1e-4)):
        test = X[:3].copy()
        test[:, column] = value
        pred = back_end.predict(test)
        assert np.all(np.abs(pred) < 3 * np.abs(y).max()), (column, pred)


def test_is10_ridge_learns_a_pitch_rating(rated_corpus):
    manifest, cache = rated_corpus
    data = load_manifest(manifest, label_column="arousal")
    for name in ("is10-ridge", "is10-svr"):
        report = evaluate(
            make_named_pipeline(name, memory=str(cache)),
            data.filenames,
            data.target,
            data.groups,
            name=name,
        )
        assert isinstance(report, RegressionReport)
        assert report.CCC_pooled > 0.5, (name, report.summary())


# ------------------------------------------------------------------------- CLI
def test_cli_benchmark_train_predict_on_ratings(rated_corpus, tmp_path, capsys):
    manifest, cache = rated_corpus
    common = ["--corpus", str(manifest), "--columns", "path,arousal,speaker"]
    out = tmp_path / "bench"
    args = ["benchmark", *common, "--pipelines", "is10-ridge", "--cv", "2"]
    assert main([*args, "--out", str(out), "--cache", str(cache), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "| pipeline | CCC | r | MAE |" in printed
    assert "Target: arousal, continuous: 24 ratings" in printed
    results = json.loads((out / "results.json").read_text())
    entry = results["is10-ridge"]
    assert entry["task"] == "regression" and entry["n_folds"] == 2
    report = load_report(out / entry["report"])
    assert f"| is10-ridge | {report.CCC:.3f} |" in printed
    assert (out / entry["scatter_png"]).is_file()
    assert "regression" in (out / "report.md").read_text()

    # a classifier on ratings, a regressor on class labels: one clear line each
    assert (
        main(["benchmark", *common, "--pipelines", "is10-svm", "--out", str(out)]) == 2
    )
    err = capsys.readouterr().err
    assert "pipeline is10-svm predicts class labels, but column 'arousal'" in err
    assert "regression pipelines: is10-ridge, is10-svr, whisper-ridge" in err

    model = tmp_path / "arousal.skops"
    train = ["train", *common, "--pipeline", "is10-ridge", "-o", str(model)]
    assert main([*train, "--cache", str(cache), "--quiet"]) == 0
    capsys.readouterr()
    files = [str(manifest.parent / "spk0" / f"utt{k}.wav") for k in range(3)]
    assert main(["predict", str(model), *files]) == 0
    printed = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert printed.columns.tolist() == ["file", "value"]
    expected = load_model(model).predict(np.asarray(files))
    np.testing.assert_allclose(printed.value, expected, atol=1e-9)
    assert printed.value.nunique() == 3  # a value per file, not a class


def test_cli_pipelines_lists_the_task(capsys):
    assert main(["pipelines"]) == 0
    out = capsys.readouterr().out
    assert "is10-ridge [default, regression: continuous ratings]:" in out
