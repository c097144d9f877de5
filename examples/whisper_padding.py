"""Whisper's 30 s window: pad short utterances to it, or encode them at their length?

``WhisperEncoder(pad_to_window=False)`` (the default) encodes each utterance at its
own length; ``pad_to_window=True`` pads it to Whisper's 30 s window, as Whisper does
when it transcribes. Either way only the frames that cover the audio are kept. This
script measures both on a third of EMOVO (sentences b1-b3, d1, d2: all 6 speakers
and 7 emotions, 210 utterances) with ``whisper-logreg``'s classifier,
leave-one-speaker-out, and the extraction time of each on 10 uncached files.

Usage::

    python examples/whisper_padding.py [--model models/faster-whisper-base] \\
        [--cache ~/.cache/sklearn-ser/features]

The padded extraction of the 210 files takes about 24 times the default's encoder
time (tens of minutes on 2 CPU cores).
"""

import argparse
import time
from pathlib import Path

import numpy as np
from _local_data import local_data_home
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ser import WhisperEncoder, get_cache_dir
from sklearn_ser.datasets import load_corpus
from sklearn_ser.pipelines import whisper_model_default


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # default: the library's rule ($SKLEARN_SER_WHISPER_MODEL, ./models/...)
    parser.add_argument("--model", default=None)
    parser.add_argument("--cache", default=str(get_cache_dir()))
    parser.add_argument("--data-home", default=None)
    args = parser.parse_args()
    args.model = whisper_model_default(args.model)
    emovo = load_corpus("emovo", local_data_home(args.data_home))
    sentence = np.array([Path(f).stem.split("-")[2] for f in emovo.filenames])
    keep = np.isin(sentence, ["b1", "b2", "b3", "d1", "d2"])
    files, y, groups = emovo.filenames[keep], emovo.target[keep], emovo.groups[keep]
    for pad in (False, True):
        start = time.perf_counter()
        WhisperEncoder(model=args.model, pad_to_window=pad).transform(files[:10])
        seconds = time.perf_counter() - start
        X = WhisperEncoder(
            model=args.model, pad_to_window=pad, memory=args.cache
        ).transform(files)
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=3000))
        pred = cross_val_predict(clf, X, y, groups=groups, cv=LeaveOneGroupOut())
        ua = balanced_accuracy_score(y, pred)
        print(
            f"pad_to_window={pad!s:5}: UA {ua:.3f} on {len(files)} utterances; "
            f"{seconds:.1f} s for 10 uncached files",
            flush=True,
        )


if __name__ == "__main__":
    main()
