"""The audio -> emotion pipelines built around the attention classifier."""

from sklearn import config_context
from sklearn.pipeline import make_pipeline

from ..augmentation import SpecAugment
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
    max_epochs=40,
    patience=10,
    batch_size=32,
    trim_db=35.0,
    augment="specaugment",
    dropout=0.0,
    weight_decay=0.0,
    valid_size=0.0,
    lr_schedule="cosine",
    monitor="valid_ua",
    pretrain_epochs=0,
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
        unlabeled utterances serve only the sparse autoencoder's pre-training,
        with ``pretrain_epochs > 0``, and are ignored otherwise).
    memory : str, default=None
        Feature cache directory of :class:`~sklearn_ser.LogMelDeltas`.
    random_state : int, default=None
    device : {"cpu", "cuda", "auto"}, default="cpu"
    sampling_rate : int, default=16000
        Rate of in-memory waveforms in ``X`` (paths carry their own).
    hop_length, win_length : float, default=0.03, 0.04
        Frame hop and window in seconds. 30 ms: 33 frames per second, a third of
        the usual 100, so training is three times cheaper.
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
        a better ``monitor`` on the held-out training speakers; only with
        ``valid_size > 0``), mini-batch size. The defaults (40 epochs on every
        training speaker, the learning rate annealed to 0 along a cosine, the
        last epoch kept; trimming and SpecAugment) are those of the attention
        study; the user guide explains why early stopping is off by default.
    trim_db : float or None, default=35.0
        Cut each utterance's leading and trailing silence: frames more than
        ``trim_db`` below its loudest frame (:class:`~sklearn_ser.TrimSilence` on
        the unstandardised log-Mel energies, then
        :class:`~sklearn_ser.FrameStandardScaler`). None: keep every frame.
    augment : "specaugment", callable or None, default="specaugment"
        Training-time augmentation of the classifier, applied to training
        utterances only: ``"specaugment"`` is
        ``SpecAugment(n_blocks=3)`` (:class:`~sklearn_ser.augmentation.SpecAugment`:
        tempo 0.9-1.1, two frequency and two time masks); a callable is used as
        it is; None: no augmentation.
    dropout : float, default=0.0
        Dropout on the pooled vector ``Z`` (``module__dropout``).
    weight_decay : float, default=0.0
        Adam's L2 penalty (``optimizer__weight_decay``).
    valid_size : float, default=0.0
        Fraction of training speakers held out for early stopping (and the
        choice of the best epoch); 0: train on every training speaker for
        ``max_epochs`` and keep the last epoch.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        The classifier's ``lr_schedule``: ``"cosine"`` anneals the learning rate
        from ``lr`` to 0 over ``max_epochs``.
    monitor : {"valid_ce", "valid_ua"}, default="valid_ua"
        What early stopping watches on those speakers (and which epoch's
        weights are kept): the labelled cross-entropy (lower is better) or the
        unweighted accuracy (higher is better).
    pretrain_epochs : int, default=0
        Epochs of sparse-autoencoder pre-training on all training frames before
        the joint training (the classifier's ``pretrain_epochs``).
    front_end : estimator or None, default=None
        What turns audio into standardised frame sequences. None:
        ``LogMelDeltas(n_mels, hop_length, win_length, sampling_rate, memory)``
        (with ``trim_db``: unstandardised, then trimmed and standardised);
        otherwise e.g. ``make_pipeline(WhisperEncoder(pooling=None),
        FrameStandardScaler())`` (``n_mels``, ``hop_length``, ``win_length``,
        ``sampling_rate``, ``memory`` and ``trim_db`` are then the front end's
        business).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline

    Examples
    --------
    >>> pipe = make_attention_pipeline(semi_supervised=False, max_epochs=5)
    >>> [name for name, _ in pipe.steps]  # doctest: +NORMALIZE_WHITESPACE
    ['logmeldeltas', 'trimsilence', 'framestandardscaler',
     'semisupervisedattentionclassifier']
    >>> pipe[-1].reconstruction_weight, pipe[-1].pseudo_class, pipe[-1].augment
    (0.0, False, SpecAugment())
    >>> [name for name, _ in make_attention_pipeline(trim_db=None).steps]
    ['logmeldeltas', 'semisupervisedattentionclassifier']
    """
    from ..features import FrameStandardScaler, LogMelDeltas, TrimSilence

    if isinstance(augment, str):
        if augment != "specaugment":
            raise ValueError(
                f"augment must be 'specaugment', a callable or None; got {augment!r}."
            )
        augment = SpecAugment(n_blocks=3)
    if monitor not in ("valid_ce", "valid_ua"):
        raise ValueError(f"monitor must be 'valid_ce' or 'valid_ua'; got {monitor!r}.")
    clf = SemiSupervisedAttentionClassifier(
        reconstruction_weight=reconstruction_weight if semi_supervised else 0.0,
        pseudo_class=bool(semi_supervised),
        class_weight=class_weight,
        lr=lr,
        max_epochs=max_epochs,
        batch_size=batch_size,
        device=device,
        random_state=random_state,
        valid_size=valid_size,
        lr_schedule=lr_schedule,
        augment=augment,
        pretrain_epochs=pretrain_epochs,
        optimizer__weight_decay=weight_decay,
        module__n_codes=n_codes,
        module__hidden_size=hidden_size,
        module__dropout=dropout,
        callbacks__early_stopping__patience=patience,
        callbacks__early_stopping__monitor=monitor,
        callbacks__early_stopping__lower_is_better=monitor != "valid_ua",
    )
    with config_context(enable_metadata_routing=True):
        clf.set_fit_request(groups=True)
    if front_end is not None:
        return make_pipeline(front_end, clf)
    logmel = LogMelDeltas(
        n_mels=n_mels,
        hop_length=hop_length,
        win_length=win_length,
        sampling_rate=sampling_rate,
        memory=memory,
        standardize=trim_db is None,
    )
    if trim_db is None:
        return make_pipeline(logmel, clf)
    trim = TrimSilence(top_db=trim_db, columns=list(range(n_mels)))
    return make_pipeline(logmel, trim, FrameStandardScaler(), clf)
