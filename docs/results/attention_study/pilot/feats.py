"""Cache unstandardised log-Mel sequences per corpus/rate in /tmp/exp."""

import os
import pickle
import sys
import time

import numpy as np

from sklearn_ser import LogMelDeltas
from sklearn_ser.datasets import load_emovo, load_librispeech, load_ravdess

DATA = os.environ.get("SKLEARN_SER_DATA", "../shared/data")
CACHE = os.path.expanduser("~/.cache/sklearn-ser/features")


def get(corpus, hop=0.03, win=0.04):
    path = f"/tmp/sklearn-ser-pilot-{corpus}_{hop}_{win}.pkl"
    if os.path.exists(path):
        return pickle.load(open(path, "rb"))
    loader = {"emovo": load_emovo, "ravdess": load_ravdess, "libri": load_librispeech}[
        corpus
    ]
    d = loader(DATA)
    t = time.time()
    X = LogMelDeltas(
        hop_length=hop, win_length=win, standardize=False, memory=CACHE, n_jobs=2
    ).fit_transform(np.asarray(d.filenames, dtype=object))
    print(corpus, hop, "extract", time.time() - t, flush=True)
    out = (X, np.asarray(d.target, dtype=object), np.asarray(d.groups).astype(str))
    pickle.dump(out, open(path, "wb"))
    return out


if __name__ == "__main__":
    for c in sys.argv[1:]:
        X, y, g = get(c)
        print(c, len(X), np.mean([len(x) for x in X]), np.unique(g).size)
