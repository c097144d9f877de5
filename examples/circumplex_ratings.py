"""Arousal and valence ratings for an acted corpus, from its emotion categories.

No rated corpus is at hand here, so this script makes a stand-in honestly: a
manifest over the real utterances of EMOVO (or RAVDESS) whose ``arousal`` and
``valence`` columns are derived from each utterance's acted emotion through the
fixed circumplex positions of :data:`CIRCUMPLEX` below. RAVDESS's ``strong``
intensity adds :data:`STRONG_AROUSAL` to arousal.

Where the numbers come from: each category is placed on a -1..1 scale at the
quadrant and angle it occupies in Russell's circumplex of affect (J. A. Russell, "A
circumplex model of affect", Journal of Personality and Social Psychology 39(6),
1980, Fig. 1: high-arousal unpleasant anger and fear, low-arousal unpleasant
sadness, pleasant aroused joy and surprise, neutral at the origin). They are coarse
positions chosen by hand from that figure, rounded to 0.1, not ratings of these
recordings: a regressor evaluated on them learns how far apart the acted
categories lie on each dimension, which is what the regression machinery needs for
a demonstration, not a measurement of dimensional emotion recognition.

Run::

    python examples/circumplex_ratings.py emovo --data-home ../shared/data \\
        -o /tmp/emovo_ratings.csv
    sklearn-ser benchmark --corpus /tmp/emovo_ratings.csv \\
        --columns path,arousal,speaker
"""

import argparse
from pathlib import Path

import pandas as pd

from sklearn_ser.datasets import load_corpus

#: (valence, arousal) of each category, on -1..1, after Russell (1980), Fig. 1.
CIRCUMPLEX = {
    "neutral": (0.0, 0.0),
    "calm": (0.3, -0.6),
    "happiness": (0.8, 0.5),
    "surprise": (0.4, 0.7),
    "anger": (-0.6, 0.8),
    "fear": (-0.6, 0.6),
    "disgust": (-0.7, 0.3),
    "sadness": (-0.7, -0.5),
    "boredom": (-0.3, -0.7),
}

#: Added to arousal for RAVDESS's "strong" intensity (its "normal" adds nothing).
STRONG_AROUSAL = 0.2


def ratings_frame(data, *, intensity=None):
    """One row per utterance: path, speaker, emotion, arousal, valence.

    Parameters
    ----------
    data : Bunch
        A corpus loaded by :mod:`sklearn_ser.datasets` (``filenames``, ``target``,
        ``groups``).
    intensity : array-like of str, default=None
        RAVDESS's ``"normal"`` / ``"strong"`` per utterance; strong raises arousal
        by :data:`STRONG_AROUSAL` (capped at 1).
    """
    rows = []
    for k, (path, emotion, speaker) in enumerate(
        zip(data.filenames, data.target, data.groups)
    ):
        valence, arousal = CIRCUMPLEX[str(emotion)]
        if intensity is not None and str(intensity[k]) == "strong":
            arousal = min(1.0, arousal + STRONG_AROUSAL)
        rows.append(
            {
                "path": path,
                "speaker": speaker,
                "emotion": emotion,
                "arousal": round(arousal, 2),
                "valence": round(valence, 2),
            }
        )
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", choices=["emovo", "ravdess"])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("-o", "--output", required=True, help="the manifest (.csv)")
    args = parser.parse_args(argv)
    data = load_corpus(args.corpus, args.data_home)
    intensity = data.intensities if args.corpus == "ravdess" else None
    frame = ratings_frame(data, intensity=intensity)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.output, index=False)
    print(f"{len(frame)} utterances -> {args.output}")
    print(frame.groupby("emotion")[["arousal", "valence"]].mean().to_string())


if __name__ == "__main__":
    main()
