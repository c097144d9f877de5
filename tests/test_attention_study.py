"""The attention study script's paired comparison of saved runs."""

import json
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "results" / "attention_study"


def test_a_saved_run_becomes_a_report_with_its_own_figures(load_script, data_home):
    study = load_script("examples/attention_study.py")
    saved = json.loads((OUT / "emovo" / "cosine-all.json").read_text())
    report = study.as_report(OUT, "emovo", "cosine-all", data_home)
    assert report.UA_pooled == pytest.approx(saved["UA"])
    assert report.WA_pooled == pytest.approx(saved["WA"])
    # each fold holds exactly its test speaker's utterances
    for k, fold in enumerate(saved["folds"]):
        assert set(report.groups[report.fold == k]) == set(fold["test_speakers"])
    assert (report.fold >= 0).all()


def test_paired_compares_two_runs_on_the_same_utterances(load_script, data_home):
    study = load_script("examples/attention_study.py")
    args = study.argparse.Namespace(
        out=OUT,
        corpus="emovo",
        seed=0,
        data_home=data_home,
        paired=["cosine-all", "noise-20"],
    )
    c = study.paired(args)
    a = json.loads((OUT / "emovo" / "cosine-all.json").read_text())["UA"]
    b = json.loads((OUT / "emovo" / "noise-20.json").read_text())["UA"]
    assert c["UA_diff"] == pytest.approx(b - a)
    assert c["n_speakers"] == 6 and c["n"] == 588
    args.paired = ["cosine-all", "cosine-all"]
    same = study.paired(args)
    assert same["UA_diff"] == 0 and np.allclose(same["UA_diff_ci"], 0)


def test_ceiling_reads_the_test_speaker_curves_of_every_saved_run(load_script):
    study = load_script("examples/attention_study.py")
    args = study.argparse.Namespace(out=OUT, corpus="emovo")
    rows, transfers = study.ceiling(args)
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
