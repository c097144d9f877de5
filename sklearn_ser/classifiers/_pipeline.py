"""The audio -> emotion pipelines built around the attention classifier."""

from sklearn import config_context
from sklearn.pipeline import make_pipeline

from ._attention import SemiSupervisedAttentionClassifier

__all__ = ["make_attention_pipeline"]


def make_attention_pipeline(
    *,
    semi_supervised=True,
    memory=None,
    random_state=None,
    device="cpu",
    sampling_rate=16000,
    hop_length=0.03,
    win_length=0.04,
    n_mels=40,
    n_codes=128,
    hidden_size=64,
    reconstruction_weight=0.01,
    class_weight="balanced",
    lr=2e-3,
    max_epochs=30,
    patience=6,
    batch_size=32,
    front_end=None,
):
    """``LogMelDeltas -> SemiSupervisedAttentionClassifier``, ready for audio paths.

    The classifier requests the speaker ``groups`` in ``fit`` through metadata
    routing, so :func:`sklearn_ser.evaluation.evaluate` (and ``cross_validate``
    with routing enabled and ``params={"groups": g}``) early-stops on held-out
    training speakers.

    Parameters
    ----------
    semi_supervised : bool, default=True
        True: the paper's model, ``reconstruction_weight`` on the sparse-AE loss
        and a pseudo-class for unlabeled (``-1``) utterances. False: the
        supervised attention BLSTM (``reconstruction_weight=0``, no pseudo-class:
        unlabeled utterances are ignored).
    memory : str, default=None
        Feature cache directory of :class:`~sklearn_ser.LogMelDeltas`.
    random_state : int, default=None
    device : {"cpu", "cuda", "auto"}, default="cpu"
    sampling_rate : int, default=16000
        Rate of in-memory waveforms in ``X`` (paths carry their own).
    hop_length, win_length : float, default=0.03, 0.04
        Frame hop and window in seconds. 30 ms (33 frames per second, a third of
        the usual 100) keeps a leave-one-speaker-out run of EMOVO on a 2-core
        CPU within minutes.
    n_mels : int, default=40
        Mel bands (frames have ``3 * n_mels`` features with the deltas).
    n_codes, hidden_size : int, default=128, 64
        Sparse code width (over-complete: 128 > 120) and LSTM units per
        direction.
    reconstruction_weight : float, default=0.01
        ``C`` of the semi-supervised model (ignored when not semi-supervised).
    class_weight : "balanced", dict or None, default="balanced"
        Class weights of ``L_s``; balanced, the pseudo-class weighs as one class
        however many unlabeled utterances there are.
    lr, max_epochs, patience, batch_size
        Adam learning rate, epoch budget, early-stopping patience (epochs without
        a better labelled validation cross-entropy), mini-batch size.
    front_end : estimator or None, default=None
        What turns audio into standardised frame sequences. None:
        ``LogMelDeltas(n_mels, hop_length, win_length, sampling_rate, memory)``;
        otherwise e.g. ``make_pipeline(WhisperEncoder(pooling=None),
        FrameStandardScaler())`` (``n_mels``, ``hop_length``, ``win_length``,
        ``sampling_rate`` and ``memory`` are then the front end's business).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline

    Examples
    --------
    >>> pipe = make_attention_pipeline(semi_supervised=False, max_epochs=5)
    >>> [name for name, _ in pipe.steps]
    ['logmeldeltas', 'semisupervisedattentionclassifier']
    >>> pipe[-1].reconstruction_weight, pipe[-1].pseudo_class
    (0.0, False)
    """
    from ..features import LogMelDeltas

    clf = SemiSupervisedAttentionClassifier(
        reconstruction_weight=reconstruction_weight if semi_supervised else 0.0,
        pseudo_class=bool(semi_supervised),
        class_weight=class_weight,
        lr=lr,
        max_epochs=max_epochs,
        batch_size=batch_size,
        device=device,
        random_state=random_state,
        module__n_codes=n_codes,
        module__hidden_size=hidden_size,
        callbacks__early_stopping__patience=patience,
    )
    with config_context(enable_metadata_routing=True):
        clf.set_fit_request(groups=True)
    if front_end is None:
        front_end = LogMelDeltas(
            n_mels=n_mels,
            hop_length=hop_length,
            win_length=win_length,
            sampling_rate=sampling_rate,
            memory=memory,
        )
    return make_pipeline(front_end, clf)
