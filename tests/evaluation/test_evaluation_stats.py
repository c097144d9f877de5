"""Confidence intervals over speakers and paired comparisons, checked by hand."""

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state

from sklearn_ser.evaluation import (
    EvaluationReport,
    compare_reports,
    evaluate,
    paired_comparison,
    paired_table,
    speaker_bootstrap,
    unweighted_accuracy,
    weighted_accuracy,
)


def _naive_bootstrap(y_true, preds, groups, n_boot, seed=0):
    """Resample speakers by looping, score with the public metrics: the reference."""
    speakers = np.unique(groups)
    draws = check_random_state(seed).randint(0, speakers.size, (n_boot, speakers.size))
    out = []
    for row in draws:
        idx = np.concatenate([np.flatnonzero(groups == speakers[i]) for i in row])
        out.append(
            [
                (
                    weighted_accuracy(y_true[idx], p[idx]),
                    unweighted_accuracy(y_true[idx], p[idx]),
                )
                for p in preds
            ]
        )
    return np.asarray(out)  # (n_boot, n_systems, 2)


@pytest.fixture
def predictions(rng):
    """Six speakers, three classes, unequal sizes; two systems, B better than A."""
    groups = np.repeat([f"s{i}" for i in range(6)], [10, 14, 8, 12, 16, 10])
    y = rng.choice(["ang", "neu", "sad"], size=groups.size, p=[0.5, 0.3, 0.2])
    pred_a = np.where(rng.random(groups.size) < 0.5, y, "neu")
    pred_b = np.where(rng.random(groups.size) < 0.8, y, "sad")
    return y, pred_a, pred_b, groups


def test_speaker_bootstrap_matches_a_loop_over_speakers(predictions):
    y, pred_a, _, groups = predictions
    ci = speaker_bootstrap(y, pred_a, groups, n_boot=300, level=0.9)
    ref = _naive_bootstrap(y, [pred_a], groups, 300)[:, 0]
    for j, key in enumerate(("WA", "UA")):
        expected = np.quantile(ref[:, j], [0.05, 0.95])
        np.testing.assert_allclose(ci[key], expected, rtol=0, atol=1e-12)
    assert ci["n_speakers"] == 6 and ci["level"] == 0.9 and ci["n_boot"] == 300


def test_speaker_bootstrap_resamples_speakers_not_utterances():
    # One speaker always right, one always wrong: drawing two speakers gives WA 0,
    # 0.5 or 1, so the 95% interval is [0, 1]. Resampling the 200 utterances would
    # give about 0.5 +- 0.07.
    y = np.array(["ang", "neu"] * 100)
    pred = y.copy()
    pred[100:] = np.where(y[100:] == "ang", "neu", "ang")
    groups = np.repeat(["right", "wrong"], 100)
    ci = speaker_bootstrap(y, pred, groups, n_boot=500)
    assert ci["WA"] == (0.0, 1.0)
    assert ci["UA"] == (0.0, 1.0)


def test_speaker_bootstrap_ignores_unlabeled_and_checks_arguments(predictions):
    y, pred_a, _, groups = predictions
    y_unl = y.astype(object)
    y_unl[:5] = -1
    ci = speaker_bootstrap(y_unl, pred_a, groups, n_boot=100)
    keep = np.arange(y.size) >= 5
    ref = speaker_bootstrap(y[keep], pred_a[keep], groups[keep], n_boot=100)
    assert ci["UA"] == ref["UA"]
    with pytest.raises(ValueError, match="level"):
        speaker_bootstrap(y, pred_a, groups, level=95)
    with pytest.raises(ValueError, match="groups"):
        speaker_bootstrap(y, pred_a, None)


def _report(name, y, pred, groups, index=None):
    n = y.size
    return EvaluationReport(
        name=name,
        labels=np.unique(y),
        index=np.arange(n) if index is None else index,
        fold=np.zeros(n, int),
        y_true=y,
        y_pred=pred,
        folds=[
            {
                "fold": 0,
                "test_groups": [],
                "n_train": 0,
                "n_test": n,
                "fit_time": 0.0,
                "predict_time": 0.0,
            }
        ],
        groups=groups,
    )


def test_paired_comparison_by_hand(predictions):
    y, pred_a, pred_b, groups = predictions
    # B's predictions in another order: pairing goes by sample index.
    perm = np.random.default_rng(1).permutation(y.size)
    a = _report("a", y, pred_a, groups)
    b = _report("b", y[perm], pred_b[perm], groups[perm], index=perm)
    cmp = paired_comparison(a, b, n_boot=300, level=0.9)
    ua_a, ua_b = unweighted_accuracy(y, pred_a), unweighted_accuracy(y, pred_b)
    assert cmp["UA_a"] == pytest.approx(ua_a) and cmp["UA_b"] == pytest.approx(ua_b)
    assert cmp["UA_diff"] == pytest.approx(ua_b - ua_a)
    assert cmp["WA_diff"] == pytest.approx(
        weighted_accuracy(y, pred_b) - weighted_accuracy(y, pred_a)
    )
    ref = _naive_bootstrap(y, [pred_a, pred_b], groups, 300)
    diff = ref[:, 1, 1] - ref[:, 0, 1]
    np.testing.assert_allclose(cmp["UA_diff_ci"], np.quantile(diff, [0.05, 0.95]))
    tail = min(np.mean(diff <= 0), np.mean(diff >= 0))
    assert cmp["p_bootstrap"] == pytest.approx(max(2 * tail, 1 / 300))
    b_count = int(np.sum((pred_a == y) & (pred_b != y)))
    c_count = int(np.sum((pred_a != y) & (pred_b == y)))
    assert (cmp["mcnemar_b"], cmp["mcnemar_c"]) == (b_count, c_count)
    assert cmp["p_mcnemar"] == pytest.approx(
        binomtest(b_count, b_count + c_count, 0.5).pvalue
    )
    # Swapping the systems flips the difference.
    back = paired_comparison(b, a, n_boot=300, level=0.9)
    assert back["UA_diff"] == pytest.approx(-cmp["UA_diff"])
    assert (back["mcnemar_b"], back["mcnemar_c"]) == (c_count, b_count)


def test_paired_comparison_refuses_different_utterances(predictions):
    y, pred_a, pred_b, groups = predictions
    a = _report("a", y, pred_a, groups)
    with pytest.raises(ValueError, match="not evaluated on the same utterances"):
        paired_comparison(a, _report("b", y[:-1], pred_b[:-1], groups[:-1]))
    other = y.copy()
    other[0] = "sad" if y[0] != "sad" else "ang"
    with pytest.raises(ValueError, match="disagree on the true labels"):
        paired_comparison(a, _report("b", other, pred_b, groups))
    with pytest.raises(ValueError, match="no speaker groups"):
        paired_comparison(a, _report("b", y, pred_b, None))


def test_reports_carry_intervals_and_a_paired_table(rng, tmp_path):
    groups = np.repeat([f"s{i}" for i in range(8)], 15)
    y = np.tile(["ang", "neu", "sad"], 40)
    X = rng.normal(size=(120, 3)) + 1.2 * (y[:, None] == ["ang", "neu", "sad"])
    chance = evaluate(DummyClassifier(), X, y, groups, name="chance")
    lr = evaluate(LogisticRegression(), X, y, groups, name="lr")
    s = lr.summary()
    ci = speaker_bootstrap(lr.y_true, lr.y_pred, lr.groups)
    assert s["UA_ci"] == list(ci["UA"]) and s["WA_ci"] == list(ci["WA"])
    assert s["UA_ci"][0] < lr.UA_pooled < s["UA_ci"][1]
    back = EvaluationReport.from_json(lr.to_json())
    assert back.summary() == s
    table = compare_reports([chance, lr])
    assert table.loc["lr", "UA_95ci"] == f"{s['UA_ci'][0]:.3f}-{s['UA_ci'][1]:.3f}"
    assert "bootstrap over the 8 test speakers" in lr.to_markdown()

    lr2 = evaluate(LogisticRegression(C=0.9), X, y, groups, name="lr-c0.9")
    paired = paired_table([chance, lr, lr2], reference="lr")
    assert paired.index.tolist() == ["chance vs lr", "lr-c0.9 vs lr"]
    assert not paired.loc["chance vs lr", "within_noise"]
    assert paired.loc["chance vs lr", "UA_diff"] < -0.3
    assert paired.loc["lr-c0.9 vs lr", "within_noise"]
    text = paired_table([chance, lr, lr2], reference="lr", as_text=True)
    assert text["within_noise"].tolist() == ["no", "yes"]
    assert text.loc["chance vs lr", "p_mcnemar"] == (
        f"{paired.loc['chance vs lr', 'p_mcnemar']:.3g}"
    )
    with pytest.raises(ValueError, match="reference 'svm'"):
        paired_table([chance, lr], reference="svm")


# ------------------------------------------------------------------ seed variation
def test_evaluate_seeds_and_seed_table(rng):
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_ser.evaluation import evaluate_seeds, seed_table, set_random_state

    groups = np.repeat([f"s{i}" for i in range(4)], 30)
    y = np.tile(["ang", "neu", "sad"], 40)
    X = rng.normal(size=(120, 3)) + 0.8 * (y[:, None] == ["ang", "neu", "sad"])
    sgd = make_pipeline(StandardScaler(), SGDClassifier(max_iter=5, tol=None))
    reports = evaluate_seeds(sgd, X, y, groups, random_states=[0, 1, 2], name="sgd")
    assert [r.meta["random_state"] for r in reports] == [0, 1, 2]
    assert [r.name for r in reports] == ["sgd (seed 0)", "sgd (seed 1)", "sgd (seed 2)"]
    # Each report is the plain evaluation of the estimator with that seed.
    again = evaluate(set_random_state(sgd, 1), X, y, groups)
    np.testing.assert_array_equal(again.y_pred, reports[1].y_pred)
    assert len({tuple(r.y_pred) for r in reports}) > 1  # seeds matter here
    chance = evaluate_seeds(
        DummyClassifier(strategy="stratified"), X, y, groups, name="chance"
    )
    table = seed_table([*reports, *chance], reference="sgd")
    ua = np.array([r.UA_pooled for r in reports])
    assert table.loc["sgd", "n_seeds"] == 3
    assert table.loc["sgd", "UA_mean"] == pytest.approx(ua.mean())
    assert table.loc["sgd", "UA_std"] == pytest.approx(ua.std(ddof=1))
    assert table.loc["sgd", "UA_min"] == ua.min()
    chance_ua = np.array([r.UA_pooled for r in chance])
    assert table.loc["chance", "UA_diff"] == pytest.approx(chance_ua.mean() - ua.mean())
    noise = 2 * max(ua.std(ddof=1), chance_ua.std(ddof=1))
    assert table.loc["chance", "within_noise"] == (
        abs(chance_ua.mean() - ua.mean()) <= noise
    )
    assert table.loc["sgd", "within_noise"]
    text = seed_table([*reports, *chance], reference="sgd", as_text=True)
    assert text["within_noise"].tolist() == [
        "yes" if v else "no" for v in table["within_noise"]
    ]
    with pytest.raises(ValueError, match="at least two seeds"):
        evaluate_seeds(sgd, X, y, groups, random_states=[0])
    with pytest.raises(ValueError, match="has no random_state"):
        set_random_state(make_pipeline(StandardScaler()), 0)


# ------------------------------------------------- tuning inside each speaker fold
def test_grid_search_tuned_inside_each_fold_on_training_speakers(rng):
    from sklearn.model_selection import GridSearchCV, LeaveOneGroupOut
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from sklearn_ser.evaluation import UA_SCORER

    groups = np.repeat([f"s{i}" for i in range(4)], 30)
    y = np.tile(["ang", "neu", "sad"], 40)
    X = rng.normal(size=(120, 3)) + (y[:, None] == ["ang", "neu", "sad"])
    search = GridSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {"svc__C": [0.1, 1.0, 10.0]},
        cv=LeaveOneGroupOut(),  # inner folds: the outer fold's training speakers
        scoring=UA_SCORER,
    )
    report = evaluate(search, X, y, groups, return_estimators=True)
    for est, fold in zip(report.estimators_, report.folds):
        assert est.n_splits_ == 3  # the three training speakers, never the test one
        assert fold["best_params"] == {"svc__C": est.best_params_["svc__C"]}
    assert "best_params" in report.to_frame("folds")
    assert "svc__C=" in report.to_markdown()
    back = EvaluationReport.from_json(report.to_json())
    assert [f["best_params"] for f in back.folds] == [
        f["best_params"] for f in report.folds
    ]
