"""Which encoder layers the attention back-end weighs, when it reads all seven.

Fits ``attention-512-cosine-steps-layers`` (``examples/frontier_levers.py``:
``WhisperEncoder(layer="all")``, ``module__n_layers=7``) on the training
speakers of each corpus's first fold (EMOVO: every speaker but f1; RAVDESS: the
first of ``GroupKFold(6)``) and prints the learned softmax weight of each layer
(``module_.layer_weights()``; 1/7 = 0.143 each at the start).

Usage::

    python examples/layer_weights.py [--corpora emovo,ravdess]
"""

from _local_data import corpus_arrays, local_data_home, whisper_study_parser
from frontier_levers import CV, REPO, systems

from sklearn_ser.pipelines import whisper_model_default

SYSTEM = "attention-512-cosine-steps-layers"


def main():
    args = whisper_study_parser(__doc__.splitlines()[0], REPO).parse_args()
    model = whisper_model_default(args.model)
    home = local_data_home(args.data_home)
    print("| corpus | " + " | ".join(f"layer {k}" for k in range(7)) + " |")
    print("|---|" + "---|" * 7)
    for corpus in args.corpora.split(","):
        X, y, groups = corpus_arrays(corpus, home)
        train, _ = next(CV[corpus].split(X, y, groups))
        pipe = systems(corpus, model, args.cache, len(train))[SYSTEM][0]
        pipe.fit(X[train], y[train])
        weights = pipe[-1].module_.layer_weights().detach().cpu().numpy()
        print(f"| {corpus} | " + " | ".join(f"{w:.3f}" for w in weights) + " |")


if __name__ == "__main__":
    main()
