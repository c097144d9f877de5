"""The frontier levers: every layer voting, more labelled speech, speaker statistics.

Each system is evaluated with :func:`~sklearn_ser.evaluation.evaluate` on EMOVO
(leave one speaker out) and RAVDESS (6 folds of 4 actors), beside
``whisper-logreg`` in the same run:

- ``whisper-layer-vote``: one ``whisper-logreg`` head per encoder layer, their
  probabilities averaged (the setting chosen on RAVDESS, confirmed on EMOVO);
- ``whisper-layer-vote-pad10``: the same with each utterance padded to 10 s of
  context (``WhisperEncoder(pad_to_window=10)``, the trade-off of
  ``examples/whisper_padding.py``);
- ``layers-concatenated``: the seven layers' pooled features side by side under
  one head, the alternative it was chosen against (with single layers and their
  average, ``examples/whisper_layers.py``);
- ``+ <other> labelled``: the same, with the other corpus's utterances on the
  target's classes in every training fold
  (:func:`~sklearn_ser.evaluation.extra_training_data`), never tested;
- ``layer-3-spkstd``: layer 3 with per-speaker standardisation, which uses the
  test speaker's own feature statistics (labelled: adapts to the test speaker);
- ``attention-512``: the papers' attention back-end (``whisper-attention``) sized
  for 512-dimensional frames: layer-4 frames, every 4th kept (12.5 per second),
  an over-complete sparse code of 1024 units and a 128-unit BLSTM;
- ``attention-512-semi``: the papers' semi-supervised model
  (``whisper-attention-semi``) at those sizes, labelled utterances only; ``+
  <other>-audio``: with the other corpus's audio as its unlabeled pseudo-class
  (in-domain: acted emotional speech, labels never used); ``+test-audio``: with
  the held-out speakers' own audio unlabeled (``evaluate(transductive=True)``,
  labelled: adapts to the test speaker);
- ``attention-512-semi-25pc``: the same model with a quarter of each class's
  training labels (the draw of the label-fraction curve), the rest of the
  training utterances left out; ``+rest-unlabeled``: those utterances kept,
  unlabeled, as its pseudo-class (the papers' own set-up: unlabeled speech of
  the training speakers, the same corpus); ``-10pc`` and ``-50pc``: the same
  at 10 % and 50 % (also for ``attention-512-semi-cosine`` below); ``-light``:
  the 25 % pair with the
  pseudo-class weighing 0.1 in the classification loss and each real class 1
  (``class_weight={-1: 0.1}``), chosen beforehand from the diagnosis in
  ``docs/results/frontier.md``, not tuned;
- ``attention-512-cosine``: ``attention-512`` trained as the log-Mel attention
  defaults are (``docs/results/attention_study.md``): every training speaker, no
  early stopping on one held-out speaker, SpecAugment (feature masks as wide as
  the log-Mel ones in proportion, up to 77 of 512), the learning rate (2e-3)
  annealed to 0 along a cosine over 20 epochs, the last epoch kept;
  ``-regularised``: also dropout 0.3 on the pooled vector and an L2 weight
  decay of 1e-4 (Adam's), against over-fitting 500-1200 utterances;
  ``-stats``: attentive statistics pooling (the attention weights also give a
  weighted standard deviation beside ``Z``, as the pooled heads are given a
  standard deviation beside the mean); ``-gru``: a GRU in place of the LSTM
  (the lighter recurrent layer, same units); ``-no-rnn``: no recurrent layer,
  the attention pools the sparse codes themselves (attention pooling as a
  light head on the frames' codes), ``-no-rnn-stats`` with attentive
  statistics (a learned-weight counterpart of ``whisper-logreg``'s mean and
  standard deviation);
  ``-seeds3`` after any of these: three of it trained from random states 0, 1
  and 2, their probabilities averaged (a soft vote: the variance of one
  network's initialisation and batch order averaged out);
  ``+<other>``: trained with the other corpus's labelled utterances as well
  (a network gains more from more data than a linear head); ``-steps``: as
  many optimizer steps on every corpus as the 20 epochs take on RAVDESS (760
  batches of 32; :func:`epochs_for_steps` sets the epochs from the training
  folds' size: 20 on RAVDESS, 48 on EMOVO, whose folds train on 490 utterances
  and which stopped at 20 epochs far from fitting them, training accuracy
  0.70-0.80 against 0.94 on RAVDESS); ``-steps2x``: twice those steps
  (1520: 40 epochs on RAVDESS, 95 on EMOVO), ``-steps2x-layer3`` on layer 3
  (the layer ``examples/layer_weights.py`` finds the network weighs most);
  ``-steps-25fps``: the same with every
  2nd frame kept (25 per second) instead of every 4th; ``-steps-average``:
  the mean of the encoder's 7 layers in place of layer 4 (``layer="average"``);
  ``-steps-layers``: the 7 layers side by side, weighed by the network
  (``module__n_layers=7``: a learned softmax weighting, SUPERB's);
- ``attention-512-semi-cosine``: the pseudo-class model trained that way, its
  reconstruction weight scaled from the log-Mel frames' 120 features to 512
  (``C = 0.01 * 120 / 512``: ``L_u`` sums the squared error over a frame's
  features); ``+<other>-audio``: with the other corpus's audio as its
  pseudo-class.

Usage::

    python examples/frontier_levers.py [--corpora emovo,ravdess] \\
        [--systems NAME,...] [--out docs/results] [--model DIR] [--cache DIR]

Each report goes to ``<out>/frontier/<corpus>/<system>.json`` as soon as it is done (a
rerun keeps those there); ``examples/frontier_table.py`` reads them.
"""

import math
from functools import partial
from pathlib import Path

import numpy as np
from _local_data import (
    corpus_arrays,
    local_data_home,
    saved_report,
    whisper_study_parser,
)
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ser import WhisperEncoder
from sklearn_ser.augmentation import SpecAugment
from sklearn_ser.datasets import load_corpus
from sklearn_ser.evaluation import (
    SpeakerStandardScaler,
    evaluate,
    extra_training_data,
    label_fraction_curve,
    set_random_state,
)
from sklearn_ser.pipelines import make_named_pipeline, whisper_model_default

REPO = Path(__file__).resolve().parents[1]
CV = {"emovo": LeaveOneGroupOut(), "ravdess": GroupKFold(6)}
OTHER = {"emovo": "ravdess", "ravdess": "emovo"}
#: optimizer steps of the attention back-end's 20 epochs on RAVDESS (1200
#: training utterances a fold, batches of 32)
RAVDESS_STEPS = 20 * math.ceil(1200 / 32)


def epochs_for_steps(n_train, steps=RAVDESS_STEPS, batch_size=32):
    """Epochs that give about ``steps`` optimizer steps on ``n_train`` utterances
    (the length-bucketed batches number about ``n_train / batch_size``)."""
    return math.ceil(steps / math.ceil(n_train / batch_size))


def systems(corpus, model, cache, n_train):
    """``{name: (estimator, extra training data, adapts to the test speaker)}``.

    ``n_train``: utterances in the smallest training fold.

    The extra data: None, ``"labelled"`` (the other corpus's utterances on the
    target's classes), ``"audio"`` (the other corpus's audio, unlabeled) or
    ``"test-audio"`` (each fold's held-out audio, unlabeled: transductive),
    ``("labels", f)`` or ``("labels+rest", f)`` (a share ``f`` of the training
    labels, the other utterances left out or unlabeled).
    """
    named = {"memory": cache, "whisper_model": model}
    spkstd = make_pipeline(
        WhisperEncoder(model=model, layer=3, memory=cache),
        SpeakerStandardScaler(),
        StandardScaler(),
        LogisticRegression(C=0.1, max_iter=3000),
    )
    concatenated = make_pipeline(
        FeatureUnion(
            [
                (f"layer{k}", WhisperEncoder(model=model, layer=k, memory=cache))
                for k in range(7)
            ]
        ),
        StandardScaler(),
        LogisticRegression(C=0.1, max_iter=3000),
    )

    def attention(name):
        return make_named_pipeline(name, stride=4, random_state=0, **named).set_params(
            pipeline__whisperencoder__layer=4,
            semisupervisedattentionclassifier__module__n_codes=1024,
            semisupervisedattentionclassifier__module__hidden_size=128,
        )

    def log_mel_training():
        # the log-Mel attention defaults' training (docs/results/attention_study.md)
        return {
            "semisupervisedattentionclassifier__valid_size": 0.0,
            "semisupervisedattentionclassifier__lr_schedule": "cosine",
            "semisupervisedattentionclassifier__lr": 2e-3,
            "semisupervisedattentionclassifier__max_epochs": 20,
            # one block of 512 features; masks up to 77 wide, the log-Mel share (6/40)
            "semisupervisedattentionclassifier__augment": SpecAugment(
                n_blocks=1, freq_width=77
            ),
        }

    cosine = attention("whisper-attention").set_params(**log_mel_training())
    steps = clone(cosine).set_params(
        semisupervisedattentionclassifier__max_epochs=epochs_for_steps(n_train)
    )
    steps2x = clone(steps).set_params(
        semisupervisedattentionclassifier__max_epochs=epochs_for_steps(
            n_train, steps=2 * RAVDESS_STEPS
        )
    )
    # layer 3, the layer the network weighs most when it reads all seven
    steps2x_layer3 = clone(steps2x).set_params(pipeline__whisperencoder__layer=3)
    frames25 = clone(steps).set_params(pipeline__framestandardscaler__stride=2)
    averaged = clone(steps).set_params(pipeline__whisperencoder__layer="average")
    # the 7 layers side by side, weighed by the network; SpecAugment masks the
    # same band of every layer, the band of the weighted sum
    augment = steps.get_params()["semisupervisedattentionclassifier__augment"]
    layers = clone(steps).set_params(
        pipeline__whisperencoder__layer="all",
        semisupervisedattentionclassifier__module__n_layers=7,
        semisupervisedattentionclassifier__augment=clone(augment).set_params(
            n_blocks=7
        ),
    )
    no_rnn_steps = clone(steps).set_params(
        semisupervisedattentionclassifier__module__rnn=None
    )
    regularised = clone(cosine).set_params(
        semisupervisedattentionclassifier__module__dropout=0.3,
        semisupervisedattentionclassifier__optimizer__weight_decay=1e-4,
    )
    stats = clone(cosine).set_params(
        semisupervisedattentionclassifier__module__pooling="attentive-statistics"
    )
    gru = clone(cosine).set_params(semisupervisedattentionclassifier__module__rnn="gru")
    no_rnn = clone(cosine).set_params(
        semisupervisedattentionclassifier__module__rnn=None
    )
    no_rnn_stats = clone(stats).set_params(
        semisupervisedattentionclassifier__module__rnn=None
    )
    semi_cosine = attention("whisper-attention-semi").set_params(
        **log_mel_training(),
        semisupervisedattentionclassifier__reconstruction_weight=0.01 * 120 / 512,
    )
    light = attention("whisper-attention-semi").set_params(
        semisupervisedattentionclassifier__class_weight={-1: 0.1}
    )
    vote_padded = make_named_pipeline("whisper-layer-vote", **named)
    vote_padded.set_params(
        **{
            f"{layer}__whisperencoder__pad_to_window": 10
            for layer, _ in vote_padded.estimators
        }
    )
    other = OTHER[corpus]
    return {
        "whisper-logreg": (
            make_named_pipeline("whisper-logreg", **named),
            None,
            False,
        ),
        "whisper-layer-vote": (
            make_named_pipeline("whisper-layer-vote", **named),
            None,
            False,
        ),
        f"whisper-logreg+{other}": (
            make_named_pipeline("whisper-logreg", **named),
            "labelled",
            False,
        ),
        f"whisper-layer-vote+{other}": (
            make_named_pipeline("whisper-layer-vote", **named),
            "labelled",
            False,
        ),
        "whisper-layer-vote-pad10": (vote_padded, None, False),
        "layer-3-spkstd": (spkstd, None, True),
        "layers-concatenated": (concatenated, None, False),
        "attention-512": (attention("whisper-attention"), None, False),
        "attention-512-cosine": (cosine, None, False),
        "attention-512-cosine-steps": (steps, None, False),
        "attention-512-cosine-no-rnn-steps": (no_rnn_steps, None, False),
        "attention-512-cosine-steps2x": (steps2x, None, False),
        "attention-512-cosine-steps2x-layer3": (steps2x_layer3, None, False),
        "attention-512-cosine-steps-25fps": (frames25, None, False),
        "attention-512-cosine-steps-average": (averaged, None, False),
        "attention-512-cosine-steps-layers": (layers, None, False),
        "attention-512-cosine-regularised": (regularised, None, False),
        "attention-512-cosine-stats": (stats, None, False),
        "attention-512-cosine-gru": (gru, None, False),
        "attention-512-cosine-no-rnn": (no_rnn, None, False),
        "attention-512-cosine-no-rnn-stats": (no_rnn_stats, None, False),
        **{
            f"attention-512-cosine{suffix}-seeds3": (seeds(pipe, 3), None, False)
            for suffix, pipe in [
                ("", cosine),
                ("-stats", stats),
                ("-gru", gru),
                ("-steps-25fps", frames25),
            ]
        },
        f"attention-512-cosine+{other}": (clone(cosine), "labelled", False),
        "attention-512-semi": (attention("whisper-attention-semi"), None, False),
        "attention-512-semi-cosine": (semi_cosine, None, False),
        f"attention-512-semi-cosine+{other}-audio": (
            clone(semi_cosine),
            "audio",
            False,
        ),
        f"attention-512-semi+{other}-audio": (
            attention("whisper-attention-semi"),
            "audio",
            False,
        ),
        "attention-512-semi+test-audio": (
            attention("whisper-attention-semi"),
            "test-audio",
            True,
        ),
        **{
            f"{base}-{pc}pc{rest}": (
                clone(pipe),
                (f"labels{rest[:5]}", pc / 100),
                False,
            )
            for base, pipe in [
                ("attention-512-semi", attention("whisper-attention-semi")),
                ("attention-512-semi-cosine", semi_cosine),
            ]
            for pc in (10, 25, 50)
            for rest in ("", "+rest-unlabeled")
        },
        "attention-512-semi-25pc-light": (light, ("labels", 0.25), False),
        "attention-512-semi-25pc-light+rest-unlabeled": (
            light,
            ("labels+rest", 0.25),
            False,
        ),
    }


def seeds(pipeline, n):
    """The pipeline trained ``n`` times, random states 0 to n - 1, its
    probabilities averaged (a soft vote)."""
    members = [(f"seed{k}", set_random_state(pipeline, k)) for k in range(n)]
    return VotingClassifier(members, voting="soft")


def share_of_the_labels(estimator, X, y, groups, *, fraction, unlabeled, **kwargs):
    """``evaluate`` with a share of each class's training labels kept (the
    label-fraction curve's draw); ``unlabeled``: what the rest becomes."""
    (report,) = label_fraction_curve(
        estimator, X, y, groups, fractions=[fraction], unlabeled=unlabeled, **kwargs
    )
    return report


def main():
    parser = whisper_study_parser(__doc__.splitlines()[0], REPO / "docs" / "results")
    parser.add_argument("--n-jobs", type=int, default=1, help="folds in parallel")
    parser.add_argument("--systems", default=None, help="these only (default: all)")
    args = parser.parse_args()
    model = whisper_model_default(args.model)
    home = local_data_home(args.data_home)
    for corpus in args.corpora.split(","):
        X, y, groups = corpus_arrays(corpus, home)
        other = OTHER[corpus]
        other_data = load_corpus(other, home)
        extra = extra_training_data({other: other_data}, np.unique(y))
        wanted = None if args.systems is None else args.systems.split(",")
        folder = Path(args.out) / "frontier" / corpus
        folder.mkdir(parents=True, exist_ok=True)
        n_train = min(len(train) for train, _ in CV[corpus].split(X, y, groups))
        listed = systems(corpus, model, args.cache, n_train)
        for name, (pipe, more, adapts) in listed.items():
            if wanted is not None and name not in wanted:
                continue
            given = {"transductive": more == "test-audio"}
            meta = {}
            if more == "labelled":
                given.update(X_extra=extra.X, y_extra=extra.y)
                given["groups_extra"] = extra.groups
                meta["extra_training_data"] = {
                    "corpus": other,
                    "n_utterances": int(len(extra.y)),
                    "dropped": extra.dropped[other],
                }
            elif more == "audio":  # every utterance, its label never given
                given["X_extra"] = np.asarray(other_data.filenames, dtype=object)
                speakers = np.asarray(other_data.groups).astype(str)
                given["groups_extra"] = np.char.add(f"{other}:", speakers)
                meta["extra_training_data"] = {
                    "corpus": other,
                    "n_utterances": len(other_data.filenames),
                    "labels": "none (unlabeled pseudo-class)",
                }
            run = evaluate
            if isinstance(more, tuple):  # ("labels" or "labels+rest", share)
                kept, fraction = more
                given = {
                    "fraction": fraction,
                    "unlabeled": "fit" if kept == "labels+rest" else "drop",
                }
                run = share_of_the_labels
            saved_report(
                folder / f"{name}.json",
                partial(
                    run,
                    *(pipe, X, y, groups),
                    cv=CV[corpus],
                    name=name,
                    adapts_to_test_speaker=adapts,
                    proba=False,
                    n_jobs=args.n_jobs,
                    **given,
                ),
                data_home=home,
                meta=meta,
            )


if __name__ == "__main__":
    main()
