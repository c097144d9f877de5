"""Pre-train the neutral projection of NeutralEmotionDAE on a neutral corpus."""

__all__ = ["fit_neutral_encoder"]


def _librispeech(data_home):
    from ..datasets import load_librispeech

    try:
        return load_librispeech(data_home)
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"{exc} fit_neutral_encoder: pass data_home=<folder holding "
            "librispeech_neutral/> (the is10-neutral-dae-svm pipeline's option is "
            "neutral_data_home=, the command line's --data-home), or set "
            "SKLEARN_SER_DATA; or build NeutralEmotionDAE(neutral_label='neutral') "
            "to learn the neutral projection from the neutral utterances of the "
            "emotional corpus."
        ) from None


def fit_neutral_encoder(
    data_home=None,
    *,
    n_hidden=400,
    memory=None,
    extractor=None,
    random_state=None,
    device="cpu",
    **dae_params,
):
    """A :class:`DenoisingAE` pre-trained on features of neutral read speech.

    Loads the LibriSpeech subset (:func:`~sklearn_ser.datasets.load_librispeech`),
    extracts openSMILE IS10 functionals (cached in ``memory``) and fits a
    single-layer denoising autoencoder on them, without labels. Wrap the result in
    :class:`sklearn.frozen.FrozenEstimator` and pass it as
    ``NeutralEmotionDAE(neutral_encoder=...)``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``librispeech_neutral/`` (or that folder itself). None: the
        default data home (:func:`~sklearn_ser.datasets.get_data_home`:
        ``$SKLEARN_SER_DATA``, else ``~/sklearn_ser_data``).
    n_hidden : int, default=400
        Width of the neutral code.
    memory : str or path-like, default=None
        Feature cache directory of the IS10 extractor (when ``extractor`` is None).
    extractor : transformer, default=None
        What turns the neutral corpus' audio into the autoencoder's input: None
        means ``OpenSmileIS10(memory=memory)`` (the paper's); a pooled
        :class:`~sklearn_ser.WhisperEncoder` pre-trains the neutral projection of a
        NeutralEmotionDAE on Whisper features. Use the same extractor as the
        pipeline the encoder goes into.
    random_state : int, RandomState instance or None, default=None
        Seed of the autoencoder fit.
    device : {"cpu", "cuda", "auto"}, "cuda:<index>" or torch.device, default="cpu"
        Where torch trains.
    **dae_params
        Other :class:`DenoisingAE` parameters (``pretrain_epochs``, ...).

    Returns
    -------
    encoder : DenoisingAE
        Fitted; ``hidden_layer_sizes=n_hidden``.
    """
    from ..features import OpenSmileIS10
    from ._dae import DenoisingAE

    libri = _librispeech(data_home)
    if extractor is None:
        extractor = OpenSmileIS10(memory=memory)
    X = extractor.fit_transform(libri.filenames)
    return DenoisingAE(
        hidden_layer_sizes=n_hidden,
        random_state=random_state,
        device=device,
        **dae_params,
    ).fit(X)
