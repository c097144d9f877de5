"""Every layer of Whisper-base's encoder: which one carries the emotion?

``WhisperEncoder(layer=k)`` gives layer ``k`` of the provisioned model (0: the
convolutions and positions, 1-5: the transformer blocks, 6: the last block after
the final LayerNorm), ``layer="average"`` the mean of the seven, from the torch
encoder that reads the CTranslate2 folder's weights; the default
``layer="last"`` is CTranslate2's int8 output. This script puts each in front of
``whisper-logreg``'s classifier (mean+std pooling, StandardScaler,
LogisticRegression C=0.1) on EMOVO (leave one speaker out) and RAVDESS (6 folds
of 4 actors), with :func:`~sklearn_ser.evaluation.evaluate`, and compares each
with ``whisper-logreg`` itself, paired on the same utterances. With
``--search``, it also evaluates the layer chosen inside each fold on the
training speakers (``GridSearchCV`` over the layer, 4 speaker folds, the
one-standard-error rule preferring the last layer).

The torch encoder computes every layer at once and the cache keeps them
together, so the first layer extracts each corpus and the others read the cache.
The extraction time of both encoders is measured on 20 uncached files (the
models loaded before).

Usage::

    python examples/whisper_layers.py [--model models/faster-whisper-base] \\
        [--cache ~/.cache/sklearn-ser/features] [--corpora emovo,ravdess] \\
        [--out docs/results] [--search]

Each report is written to ``<out>/whisper_layers/<corpus>/<system>.json`` as soon
as it is done, and a rerun keeps those already there; the table goes to
``<out>/whisper_layers_table.md``.
"""

import time
from functools import partial
from pathlib import Path

import pandas as pd
from _local_data import (
    corpus_arrays,
    local_data_home,
    saved_report,
    whisper_study_parser,
)
from sklearn.model_selection import GridSearchCV, GroupKFold, LeaveOneGroupOut

from sklearn_ser import WhisperEncoder
from sklearn_ser.evaluation import (
    UA_SCORER,
    SpeakerKFold,
    evaluate,
    load_report,
    markdown_table,
    paired_table,
    simplest_within_one_se,
)
from sklearn_ser.pipelines import make_named_pipeline, whisper_model_default

REPO = Path(__file__).resolve().parents[1]
CORPORA = {
    "emovo": (LeaveOneGroupOut(), "leave one speaker out, 6 folds"),
    "ravdess": (GroupKFold(6), "6 folds of 4 actors"),
}
LAYERS = [0, 1, 2, 3, 4, 5, 6, "average"]
#: The search's candidates, the preferred first: the last layer, then downwards.
SEARCH_LAYERS = [6, 5, 4, 3, 2, 1, 0, "average"]
REFERENCE = "whisper-logreg"


def logreg(model, cache, layer="last"):
    """``whisper-logreg`` with its encoder's ``layer`` set."""
    pipe = make_named_pipeline(REFERENCE, memory=cache, whisper_model=model)
    return pipe.set_params(whisperencoder__layer=layer)


def systems(model, cache, search):
    out = {REFERENCE: logreg(model, cache)}
    out.update({f"layer-{k}": logreg(model, cache, k) for k in LAYERS})
    if search:
        out["layer-searched"] = GridSearchCV(
            logreg(model, cache, SEARCH_LAYERS[0]),
            {"whisperencoder__layer": SEARCH_LAYERS},
            cv=SpeakerKFold(n_splits=4),
            scoring=UA_SCORER,
            refit=simplest_within_one_se,
        )
    return out


def extraction_seconds(model, files):
    """Seconds to encode ``files`` uncached: CTranslate2 (int8), torch (all layers)."""
    out = {}
    for name, layer in (("ctranslate2 int8, last layer", "last"), ("torch, all", 0)):
        WhisperEncoder(model=model, layer=layer).transform(files[:1])  # loads it
        start = time.perf_counter()
        WhisperEncoder(model=model, layer=layer).transform(files)
        out[name] = round(time.perf_counter() - start, 1)
    return out


def run(args):
    for corpus in args.corpora:
        cv, cv_text = CORPORA[corpus]
        X, y, groups = corpus_arrays(corpus, args.data_home)
        folder = Path(args.out) / "whisper_layers" / corpus
        folder.mkdir(parents=True, exist_ok=True)
        timing = folder / "extraction.json"
        if not timing.exists():
            sample = X[:: max(1, len(X) // 20)][:20]
            seconds = extraction_seconds(args.model, sample)
            start = time.perf_counter()
            WhisperEncoder(model=args.model, layer=0, memory=args.cache).transform(X)
            seconds[f"torch, all layers, {len(X)} files (cache)"] = round(
                time.perf_counter() - start, 1
            )
            pd.Series(seconds).to_json(timing)
            print(f"{corpus:8s} extraction {seconds}", flush=True)
        for name, pipe in systems(args.model, args.cache, args.search).items():
            saved_report(
                folder / f"{name}.json",
                partial(evaluate, pipe, X, y, groups, cv=cv, name=name),
                data_home=args.data_home,
                meta={"cv_text": cv_text},
            )


def write_table(args):
    """One row per system, per corpus: pooled UA [95 % CI] and the paired difference."""
    columns = {}
    names = [REFERENCE] + [f"layer-{k}" for k in LAYERS] + ["layer-searched"]
    for corpus in CORPORA:
        folder = Path(args.out) / "whisper_layers" / corpus
        reports = [
            load_report(folder / f"{n}.json")
            for n in names
            if (folder / f"{n}.json").exists()
        ]
        if not reports:
            continue
        paired = paired_table(reports, reference=REFERENCE)
        ua, diff = {}, {}
        for report in reports:
            name = report.name
            lo, hi = report.confidence_intervals()["UA"]
            ua[name] = f"{report.summary()['UA_pooled']:.3f} [{lo:.3f}, {hi:.3f}]"
            key = f"{name} vs {REFERENCE}"
            if key in paired.index:
                row = paired.loc[key]
                diff[name] = f"{row['UA_diff']:+.3f} {row['UA_diff_95ci']}"
        columns[f"{corpus} UA [95 % CI]"] = pd.Series(ua)
        columns[f"{corpus} vs {REFERENCE}"] = pd.Series(diff)
    table = pd.DataFrame(columns)
    table = table.reindex([n for n in names if n in table.index]).fillna("")
    text = markdown_table(table)
    Path(args.out, "whisper_layers_table.md").write_text(text + "\n")
    print(text)


def main():
    parser = whisper_study_parser(__doc__.splitlines()[0], REPO / "docs" / "results")
    parser.add_argument("--search", action="store_true")
    args = parser.parse_args()
    args.model = whisper_model_default(args.model)
    args.data_home = local_data_home(args.data_home)
    args.corpora = args.corpora.split(",")
    run(args)
    write_table(args)


if __name__ == "__main__":
    main()
