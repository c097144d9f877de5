"""The frontier table: every lever tried on Whisper-base, against ``whisper-logreg``.

Reads the saved reports of the runs (``docs/results/frontier/<corpus>/``,
``docs/results/whisper_layers/<corpus>/``, ``docs/results/pretrained/<corpus>/``)
and prints one markdown row per lever:
pooled UA with its 95 % interval over speakers on EMOVO and RAVDESS, and the
paired difference against the ``whisper-logreg`` report of the same run (paired
bootstrap over speakers; the same utterances, so the same set-up). The commands
that wrote the reports are in ``docs/results/frontier.md``.

Usage::

    python examples/frontier_table.py > /tmp/frontier_rows.md
"""

from pathlib import Path

from sklearn_ser.evaluation import load_report, paired_comparison

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results"
OTHER = {"emovo": "ravdess", "ravdess": "emovo"}
# (row label, folder of its run, report file stem; {other}: the other corpus)
ROWS = [
    ("`whisper-logreg` (reference)", "whisper_layers", "whisper-logreg"),
    (
        "**`whisper-layer-vote` + the other corpus's labelled utterances**",
        "frontier",
        "whisper-layer-vote+{other}",
    ),
    (
        "**`whisper-layer-vote`** (every layer's head, voting)",
        "frontier",
        "whisper-layer-vote",
    ),
    (
        "`whisper-layer-vote`, each utterance padded to 10 s of context",
        "frontier",
        "whisper-layer-vote-pad10",
    ),
    ("layers concatenated, one head", "frontier", "layers-concatenated"),
    (
        "`whisper-logreg` + the other corpus's labelled utterances",
        "frontier",
        "whisper-logreg+{other}",
    ),
    (
        "layer 3 + per-speaker standardisation (adapts to the test speaker)",
        "frontier",
        "layer-3-spkstd",
    ),
    *[
        (f"context: pad to {pad} s", "frontier", f"whisper-logreg-pad{pad}")
        for pad in (5, 10, 15, 30)
    ],
    ("layer 3", "whisper_layers", "layer-3"),
    ("layer 4", "whisper_layers", "layer-4"),
    ("layer 5", "whisper_layers", "layer-5"),
    ("average of all layers", "whisper_layers", "layer-average"),
    ("layer chosen in each fold", "whisper_layers", "layer-searched"),
    ("`auto` (back-end chosen in each fold)", "pretrained", "auto"),
    ("`whisper-svm`", "pretrained", "whisper-svm"),
    ("`whisper-is10-fusion`", "pretrained", "whisper-is10-fusion"),
    ("`whisper-dae-svm`", "pretrained", "whisper-dae-svm"),
    ("`whisper-attention`", "pretrained", "whisper-attention"),
    (
        "attention back-end sized for 512-d frames (layer 4, 1024 codes, 128 units)",
        "frontier",
        "attention-512",
    ),
    (
        "the same, trained as the log-Mel defaults (all training speakers, "
        "SpecAugment, cosine, 20 epochs)",
        "frontier",
        "attention-512-cosine",
    ),
    (
        "the same, with dropout 0.3 and weight decay 1e-4",
        "frontier",
        "attention-512-cosine-regularised",
    ),
    (
        "the same as the log-Mel defaults + the other corpus's labelled utterances",
        "frontier",
        "attention-512-cosine+{other}",
    ),
    (
        "the same as the log-Mel defaults, attentive statistics pooling",
        "frontier",
        "attention-512-cosine-stats",
    ),
    (
        "the same as the log-Mel defaults, a GRU for the LSTM",
        "frontier",
        "attention-512-cosine-gru",
    ),
    (
        "the same as the log-Mel defaults, three seeds' probabilities averaged",
        "frontier",
        "attention-512-cosine-seeds3",
    ),
    (
        "the same as the log-Mel defaults, RAVDESS's 760 optimizer steps on every "
        "corpus (EMOVO 48 epochs; RAVDESS 20, unchanged)",
        "frontier",
        "attention-512-cosine-steps",
    ),
    (
        "the same as the log-Mel defaults, twice RAVDESS's steps on every corpus "
        "(EMOVO 95 epochs, RAVDESS 40)",
        "frontier",
        "attention-512-cosine-steps2x",
    ),
    (
        "the same with twice RAVDESS's steps, layer 3 instead of layer 4",
        "frontier",
        "attention-512-cosine-steps2x-layer3",
    ),
    (
        "the same with RAVDESS's steps, 25 frames a second instead of 12.5",
        "frontier",
        "attention-512-cosine-steps-25fps",
    ),
    (
        "the same with RAVDESS's steps at 25 frames a second, three seeds' "
        "probabilities averaged",
        "frontier",
        "attention-512-cosine-steps-25fps-seeds3",
    ),
    (
        "the same with RAVDESS's steps, the mean of the 7 layers instead of layer 4",
        "frontier",
        "attention-512-cosine-steps-average",
    ),
    (
        "the same with RAVDESS's steps, the 7 layers weighed by the network",
        "frontier",
        "attention-512-cosine-steps-layers",
    ),
    (
        "light head: attention pooling on the frames' sparse codes, no recurrent "
        "layer (log-Mel training)",
        "frontier",
        "attention-512-cosine-no-rnn",
    ),
    (
        "light head, RAVDESS's 760 optimizer steps on every corpus",
        "frontier",
        "attention-512-cosine-no-rnn-steps",
    ),
    (
        "light head with attentive statistics pooling (log-Mel training)",
        "frontier",
        "attention-512-cosine-no-rnn-stats",
    ),
    (
        "`whisper-attention-semi` (LibriSpeech unlabeled)",
        "pretrained",
        "whisper-attention-semi",
    ),
]
# The pseudo-class model with and without in-domain unlabeled audio, paired
# against the same model trained on the labelled utterances only.
# (the first row of each such table is its reference)
SEMI_ROWS = [
    ("labelled utterances only (reference)", "frontier", "attention-512-semi"),
    (
        "+ the other corpus's audio, unlabeled (pseudo-class)",
        "frontier",
        "attention-512-semi+{other}-audio",
    ),
    (
        "+ the test speakers' own audio, unlabeled (adapts to the test speaker)",
        "frontier",
        "attention-512-semi+test-audio",
    ),
]


# ... trained as the log-Mel defaults (reconstruction weight scaled to 512 features)
SEMI_COSINE_ROWS = [
    (
        "trained as the log-Mel defaults, C scaled to 512 features: labelled "
        "utterances only (reference)",
        "frontier",
        "attention-512-semi-cosine",
    ),
    (
        "trained as the log-Mel defaults, C scaled to 512 features: + the other "
        "corpus's audio, unlabeled (pseudo-class)",
        "frontier",
        "attention-512-semi-cosine+{other}-audio",
    ),
]
# ... and at 10 % of the training labels, the rest unlabeled or left out
COSINE_TENTH_ROWS = [
    (
        "trained as the log-Mel defaults, C scaled: 10 % of the labels, the rest "
        "left out (reference)",
        "frontier",
        "attention-512-semi-cosine-10pc",
    ),
    (
        "trained as the log-Mel defaults, C scaled: 10 % of the labels, the rest "
        "unlabeled (pseudo-class)",
        "frontier",
        "attention-512-semi-cosine-10pc+rest-unlabeled",
    ),
]
# ... and at 25 % and 50 %
COSINE_SHARE_ROWS = {
    pc: [
        (
            f"trained as the log-Mel defaults, C scaled: {pc} % of the labels, the "
            "rest left out (reference)",
            "frontier",
            f"attention-512-semi-cosine-{pc}pc",
        ),
        (
            f"trained as the log-Mel defaults, C scaled: {pc} % of the labels, the "
            "rest unlabeled (pseudo-class)",
            "frontier",
            f"attention-512-semi-cosine-{pc}pc+rest-unlabeled",
        ),
    ]
    for pc in (25, 50)
}
# The attention back-end's own levers, paired against it
BACKEND_ROWS = [
    (
        "attention back-end, 512 sizes, log-Mel training (reference)",
        "frontier",
        "attention-512-cosine",
    ),
    (
        "the same, attentive statistics pooling (weighted mean and std)",
        "frontier",
        "attention-512-cosine-stats",
    ),
    ("the same, a GRU for the LSTM", "frontier", "attention-512-cosine-gru"),
    (
        "three of it (random states 0, 1, 2), probabilities averaged",
        "frontier",
        "attention-512-cosine-seeds3",
    ),
    (
        "RAVDESS's 760 optimizer steps on every corpus (EMOVO 48 epochs, "
        "RAVDESS 20: a rerun)",
        "frontier",
        "attention-512-cosine-steps",
    ),
    (
        "twice RAVDESS's optimizer steps on every corpus (EMOVO 95 epochs, RAVDESS 40)",
        "frontier",
        "attention-512-cosine-steps2x",
    ),
    (
        "twice RAVDESS's steps, layer 3 instead of layer 4",
        "frontier",
        "attention-512-cosine-steps2x-layer3",
    ),
    (
        "RAVDESS's steps, 25 frames a second instead of 12.5",
        "frontier",
        "attention-512-cosine-steps-25fps",
    ),
    (
        "RAVDESS's steps, 25 frames a second, three seeds averaged",
        "frontier",
        "attention-512-cosine-steps-25fps-seeds3",
    ),
    (
        "RAVDESS's steps, the mean of the 7 layers instead of layer 4",
        "frontier",
        "attention-512-cosine-steps-average",
    ),
    (
        "RAVDESS's steps, the 7 layers weighed by the network (softmax weights)",
        "frontier",
        "attention-512-cosine-steps-layers",
    ),
    (
        "no recurrent layer: attention pooling on the sparse codes (a light head)",
        "frontier",
        "attention-512-cosine-no-rnn",
    ),
    (
        "no recurrent layer, RAVDESS's 760 optimizer steps on every corpus",
        "frontier",
        "attention-512-cosine-no-rnn-steps",
    ),
    (
        "no recurrent layer, attentive statistics pooling on the sparse codes",
        "frontier",
        "attention-512-cosine-no-rnn-stats",
    ),
]
# The attention back-end and whisper-logreg given the same extra labelled speech
EXTRA_ROWS = [
    (
        "`whisper-logreg` + the other corpus's labelled utterances (reference)",
        "frontier",
        "whisper-logreg+{other}",
    ),
    (
        "attention back-end (512 sizes, log-Mel training) + the same utterances",
        "frontier",
        "attention-512-cosine+{other}",
    ),
]
# ... and with a quarter of the training labels, the rest unlabeled (the
# papers' own set-up), paired against the same quarter without the rest
QUARTER_ROWS = [
    (
        "25 % of the labels, the rest left out (reference)",
        "frontier",
        "attention-512-semi-25pc",
    ),
    (
        "25 % of the labels, the rest unlabeled (pseudo-class)",
        "frontier",
        "attention-512-semi-25pc+rest-unlabeled",
    ),
]
# ... and the same with the pseudo-class weighing 0.1 (real classes 1)
LIGHT_ROWS = [
    (
        "25 % of the labels, pseudo-class weight 0.1, the rest left out (reference)",
        "frontier",
        "attention-512-semi-25pc-light",
    ),
    (
        "25 % of the labels, pseudo-class weight 0.1, the rest unlabeled",
        "frontier",
        "attention-512-semi-25pc-light+rest-unlabeled",
    ),
]
# ... all of them in the table of every lever, against whisper-logreg
ROWS += [
    (f"pseudo-class model, 512 sizes: {label.split(' (')[0]}", folder, stem)
    for label, folder, stem in SEMI_ROWS
    + SEMI_COSINE_ROWS
    + COSINE_TENTH_ROWS
    + COSINE_SHARE_ROWS[25]
    + COSINE_SHARE_ROWS[50]
    + QUARTER_ROWS
    + LIGHT_ROWS
]


def cell(folder, stem, corpus, reference="whisper-logreg"):
    stem = stem.format(other=OTHER[corpus])
    reference = reference.format(other=OTHER[corpus])
    path = RESULTS / folder / corpus / f"{stem}.json"
    if not path.is_file():
        return "not run", ""
    report = load_report(path)
    low, high = report.confidence_intervals()["UA"]
    ua = f"{report.summary()['UA_pooled']:.3f} [{low:.3f}, {high:.3f}]"
    if stem == reference:
        return ua, ""
    reference = RESULTS / folder / corpus / f"{reference}.json"
    if not reference.is_file():
        return ua, ""
    cmp = paired_comparison(load_report(reference), report)
    lo, hi = cmp["UA_diff_ci"]
    return ua, f"{cmp['UA_diff']:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def table(first, rows, reference):
    shown = reference.replace("{other}", "<other>")
    print(
        f"| {first} | EMOVO UA [95 % CI] | vs `{shown}` | "
        f"RAVDESS UA [95 % CI] | vs `{shown}` |"
    )
    print("|---|---|---|---|---|")
    for label, folder, stem in rows:
        cells = [
            c
            for corpus in ("emovo", "ravdess")
            for c in cell(folder, stem, corpus, reference)
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")


def main():
    table("lever", ROWS, "whisper-logreg")
    for first, rows in [
        ("pseudo-class model (512 sizes)", SEMI_ROWS),
        ("pseudo-class model, log-Mel training", SEMI_COSINE_ROWS),
        ("the same, 10 % of the labels", COSINE_TENTH_ROWS),
        ("the same, 25 % of the labels", COSINE_SHARE_ROWS[25]),
        ("the same, 50 % of the labels", COSINE_SHARE_ROWS[50]),
        ("pseudo-class model, fewer labels", QUARTER_ROWS),
        ("pseudo-class weight 0.1", LIGHT_ROWS),
        ("with the other corpus's labelled utterances", EXTRA_ROWS),
        ("the attention back-end's levers", BACKEND_ROWS),
    ]:
        print()
        table(first, rows, reference=rows[0][2])


if __name__ == "__main__":
    main()
