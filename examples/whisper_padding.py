"""Whisper's 30 s window: how much context does a short utterance need?

``WhisperEncoder`` encodes each utterance at its own length by default;
``pad_to_window`` pads it with silence to Whisper's 30 s window (``True``, as
Whisper does when it transcribes) or to a shorter context (5, 10, 15 s). This
script runs ``whisper-logreg`` at each length on whole corpora, evaluated as in
``examples/frontier_levers.py`` (EMOVO leave one speaker out, RAVDESS 6 folds of
4 actors), and times the encoder at each length on the same 10 uncached files
(one process), so the cost is a ratio to the unpadded encoder measured in the
same run.

Usage::

    python examples/whisper_padding.py [--corpora emovo,ravdess] \\
        [--pads 5,10,15,30] [--out docs/results] [--model DIR] [--cache DIR]

Each report goes to ``<out>/frontier/<corpus>/whisper-logreg-pad<seconds>.json``
(a rerun keeps those there), with the extraction time of the whole corpus
(``extraction_s``: of its uncached files, one process) in its ``meta``; the
10-file timings (model loaded beforehand) are printed at every run;
``examples/frontier_table.py`` pairs each against the unpadded
``whisper-logreg``. Padding to 30 s costs about 24 times the unpadded encoder
(hours for RAVDESS on 2 cores).
"""

import time
from functools import partial
from pathlib import Path

from _local_data import (
    corpus_arrays,
    local_data_home,
    saved_report,
    whisper_study_parser,
)
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

from sklearn_ser import WhisperEncoder
from sklearn_ser.evaluation import evaluate
from sklearn_ser.pipelines import make_named_pipeline, whisper_model_default

REPO = Path(__file__).resolve().parents[1]
CV = {"emovo": LeaveOneGroupOut(), "ravdess": GroupKFold(6)}


def encoder_seconds(model, files, pad):
    """Wall time of the encoder (no cache, one process) on ``files``."""
    start = time.perf_counter()
    WhisperEncoder(model=model, pad_to_window=pad).fit_transform(files)
    return time.perf_counter() - start


def padded_run(pipe, X, y, groups, *, pad, model, cache, meta, **kwargs):
    """Extract the corpus at ``pad`` into the cache (timed), then evaluate."""
    start = time.perf_counter()
    WhisperEncoder(model=model, pad_to_window=pad, memory=cache).fit_transform(X)
    meta["extraction_s"] = round(time.perf_counter() - start, 1)
    return evaluate(pipe, X, y, groups, **kwargs)


def main():
    parser = whisper_study_parser(__doc__.splitlines()[0], REPO / "docs" / "results")
    parser.add_argument("--pads", default="5,10,15,30", help="seconds, 30 = True")
    args = parser.parse_args()
    model = whisper_model_default(args.model)
    home = local_data_home(args.data_home)
    for corpus in args.corpora.split(","):
        X, y, groups = corpus_arrays(corpus, home)
        timed = X[:: max(1, len(X) // 10)][:10]  # 10 files across the corpus
        encoder_seconds(model, timed[:1], False)  # load the model before timing
        unpadded = encoder_seconds(model, timed, False)
        print(f"{corpus}: unpadded encoder {unpadded:.2f} s for 10 files", flush=True)
        for seconds in [float(s) for s in args.pads.split(",")]:
            pad = True if seconds == 30 else seconds
            t = encoder_seconds(model, timed, pad)
            print(
                f"{corpus}: pad to {seconds:g} s: {t:.2f} s for the same 10 files, "
                f"{t / unpadded:.1f} x",
                flush=True,
            )
            meta = {"pad_to_window_s": seconds}
            name = f"whisper-logreg-pad{seconds:g}"
            pipe = make_named_pipeline(
                "whisper-logreg", memory=args.cache, whisper_model=model
            ).set_params(whisperencoder__pad_to_window=pad)
            saved_report(
                Path(args.out) / "frontier" / corpus / f"{name}.json",
                partial(
                    padded_run,
                    *(pipe, X, y, groups),
                    pad=pad,
                    model=model,
                    cache=args.cache,
                    meta=meta,
                    cv=CV[corpus],
                    name=name,
                    proba=False,
                ),
                data_home=home,
                meta=meta,
            )


if __name__ == "__main__":
    main()
