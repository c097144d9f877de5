"""Over how many frames the attention back-end listens, with and without its recurrence.

Fits ``attention-512-cosine`` and its light head ``attention-512-cosine-no-rnn``
(``examples/frontier_levers.py``) on the training speakers of each corpus's first
fold (EMOVO: every speaker but f1; RAVDESS: the first of ``GroupKFold(6)``), and
prints, over the held-out speakers' utterances, the
median frame count and the median of :func:`~sklearn_ser.classifiers.effective_frames`
(``exp(H(alpha))``: T for attention as even as mean pooling, 1 for one frame).

Usage::

    python examples/attention_spread.py [--corpora emovo,ravdess]
"""

import numpy as np
from _local_data import corpus_arrays, local_data_home, whisper_study_parser
from frontier_levers import CV, REPO, systems

from sklearn_ser.classifiers import effective_frames
from sklearn_ser.pipelines import whisper_model_default

SYSTEMS = ("attention-512-cosine", "attention-512-cosine-no-rnn")


def main():
    args = whisper_study_parser(__doc__.splitlines()[0], REPO).parse_args()
    model = whisper_model_default(args.model)
    home = local_data_home(args.data_home)
    print("| corpus | system | frames (median) | effective frames (median) | share |")
    print("|---|---|---|---|---|")
    for corpus in args.corpora.split(","):
        X, y, groups = corpus_arrays(corpus, home)
        train, test = next(CV[corpus].split(X, y, groups))
        listed = systems(corpus, model, args.cache, len(train))
        for name in SYSTEMS:
            pipe = listed[name][0].fit(X[train], y[train])
            frames = pipe[:-1].transform(X[test])
            spread = effective_frames(pipe[-1].attention_weights(frames))
            n = np.array([len(f) for f in frames])
            print(
                f"| {corpus} | `{name}` | {np.median(n):.0f} | "
                f"{np.median(spread):.1f} | {np.median(spread / n):.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
