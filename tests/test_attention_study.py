"""The attention study's saved runs: EvaluationReports with the study's diagnostics.

The runs are read with the library (:func:`sklearn_ser.evaluation.load_report`);
the study script is loaded only for its own arithmetic (the test-speaker ceiling,
the seed ensembles), given the reports read here.
"""

import numpy as np
import pytest

from conftest import REPO
from sklearn_ser.datasets import load_corpus
from sklearn_ser.evaluation import load_report, paired_comparison

OUT = REPO / "docs" / "results" / "attention_study"


def _runs(corpus):
    # emovo/before.json holds figures only (saved before the predictions were kept)
    paths = sorted((OUT / corpus).glob("*.json"))
    return {p.stem: load_report(p) for p in paths if p.name != "before.json"}


def test_a_saved_run_is_a_report_of_every_utterance_with_its_diagnostics(data_home):
    run = load_report(OUT / "emovo" / "cosine-all.json")
    assert round(run.UA_pooled, 3) == 0.299 and run.n_folds == 6  # the page's figure
    emovo = load_corpus("emovo", data_home)
    groups = np.asarray(emovo.groups).astype(str)
    # every utterance once, indexed in load_corpus order, with its label and speaker
    assert sorted(run.index.tolist()) == list(range(len(groups)))
    np.testing.assert_array_equal(run.groups, groups[run.index])
    np.testing.assert_array_equal(
        run.y_true, np.asarray(emovo.target).astype(str)[run.index]
    )
    for k, fold in enumerate(run.folds):
        assert len(fold["test_groups"]) == 1
        assert set(run.groups[run.fold == k]) == set(fold["test_groups"])
    study = run.meta["study"]
    assert (study["variant"], study["corpus"], study["seed"]) == (
        "cosine-all",
        "emovo",
        0,
    )
    for diag, fold in zip(study["folds"], run.folds, strict=True):
        assert diag["epochs"] == len(diag["test_ua_curve"]) == 40
        assert diag["best_epoch"] is None  # no validation split: the last epoch kept
        # so the test-speaker curve ends on the fold's own UA
        assert diag["test_ua_curve"][-1] == pytest.approx(fold["UA"], abs=1e-4)


def test_paired_comparison_of_two_saved_runs_on_the_same_utterances():
    a = load_report(OUT / "emovo" / "cosine-all.json")
    b = load_report(OUT / "emovo" / "noise-20.json")
    c = paired_comparison(a, b)
    assert c["UA_diff"] == pytest.approx(b.UA_pooled - a.UA_pooled)
    assert round(c["UA_diff"], 3) == -0.009
    assert c["n_speakers"] == 6 and c["n"] == 588
    same = paired_comparison(a, a)
    assert same["UA_diff"] == 0 and np.allclose(same["UA_diff_ci"], 0)
    # and with a report of reproduce_pretrained_table.py, on the same utterances
    svm = load_report(
        REPO / "docs" / "results" / "pretrained" / "emovo" / "is10-svm.json"
    )
    assert round(paired_comparison(svm, a)["UA_diff"], 3) == -0.044


def test_ceiling_from_the_test_speaker_curves_of_every_saved_run(load_script):
    study = load_script("examples/attention_study.py")
    rows, transfers = study.ceiling(_runs("emovo"))
    rows = {row["run"]: row for row in rows}
    assert "before" not in rows  # early-stopped: no whole curve
    for name, row in rows.items():
        # the last epoch's mean fold UA is the pooled UA of a run that kept it
        if row["kept_last"]:
            assert row["last"] == pytest.approx(row["UA"], abs=1e-3), name
        assert row["last"] <= row["best_epoch_ua"] <= row["per_fold_best_ua"]
    assert sum(row["kept_last"] for row in rows.values()) >= 20
    row = rows["cosine-all"]
    assert (row["best_epoch"], round(row["best_epoch_ua"], 3)) == (30, 0.311)
    assert round(row["per_fold_best_ua"], 3) == 0.376
    # one seed's per-fold best epochs, on another seed's curves of the same folds
    pairs = {(t["from"], t["to"]): t for t in transfers}
    t = pairs[("cosine-all", "cosine-all_seed1")]
    assert (round(t["UA"], 3), round(t["to_last"], 3)) == (0.284, 0.293)
    assert ("cosine-all", "vtlp") not in pairs  # different variants
    assert len([p for p in pairs if p[0].startswith("cosine-all")]) == 6


def test_seed_ensembles_give_the_page_figures(load_script):
    study = load_script("examples/attention_study.py")
    emovo = study.seed_ensemble(_runs("emovo"), "cosine-all")
    ravdess = study.seed_ensemble(_runs("ravdess"), "cosine-all")
    assert emovo["seeds"] == ravdess["seeds"] == [0, 1, 2]
    assert [round(v, 3) for v in emovo["seed_ua"]] == [0.299, 0.293, 0.310]
    assert [round(v, 3) for v in ravdess["seed_ua"]] == [0.521, 0.549, 0.517]
    # docs/results/attention_study.md: averaged probabilities 0.293 and 0.548
    assert (round(emovo["ensemble_ua"], 3), round(ravdess["ensemble_ua"], 3)) == (
        0.293,
        0.548,
    )


def test_the_study_table_has_every_saved_variant_with_its_figures(load_script):
    study = load_script("examples/attention_study.py")
    table, _ = study.report_table(OUT)
    rows = {
        tuple(cell.strip() for cell in line.split("|")[1:3]): line
        for line in table.splitlines()[2:]
    }
    assert len(rows) == 26
    # the figures-only run and a report, as on the study page
    before, cosine_all = rows["emovo", "before"], rows["emovo", "cosine-all"]
    assert before.endswith("| 0.218 | 0.218 | 16.3 | 10.3 | 0.40 | 0.13 | 901 |")
    assert cosine_all.endswith("| 0.299 | 0.299 | 40.0 | – | 0.63 | – | 1035 |")
    assert "| 0.568 | 0.572 |" in rows["ravdess", "noise"]
