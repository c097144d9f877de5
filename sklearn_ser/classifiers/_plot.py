"""Where the attention classifier listened: its weights over the spectrogram, and
over how many frames they spread."""

import numpy as np

__all__ = ["effective_frames", "plot_attention"]


def effective_frames(weights):
    """Over how many frames each utterance's attention spreads: ``exp(H(alpha))``.

    The perplexity of the weights, ``exp(-sum_t alpha_t log alpha_t)``: ``T`` when
    they are uniform over ``T`` frames (mean pooling), 1 when all the weight is on
    one frame, ``k`` when it is shared equally by ``k`` frames.

    Parameters
    ----------
    weights : list of array-like of shape (n_frames_i,)
        Attention weights of each utterance, each summing to 1 (the output of
        :meth:`SemiSupervisedAttentionClassifier.attention_weights`).

    Returns
    -------
    ndarray of shape (n_utterances,)

    Examples
    --------
    >>> from sklearn_ser.classifiers import effective_frames
    >>> effective_frames([[0.25, 0.25, 0.25, 0.25], [1.0, 0.0], [0.5, 0.0, 0.5]])
    array([4., 1., 2.])
    """
    spread = []
    for i, alpha in enumerate(weights):
        alpha = np.asarray(alpha, dtype=float)
        if alpha.ndim != 1 or alpha.size == 0 or not np.isclose(alpha.sum(), 1.0):
            raise ValueError(
                f"weights[{i}] must be one weight per frame, summing to 1 (got "
                f"shape {alpha.shape}, sum {alpha.sum():.4g})."
            )
        p = alpha[alpha > 0]  # 0 log 0 = 0
        spread.append(float(np.exp(-np.sum(p * np.log(p)))))
    return np.asarray(spread)


def plot_attention(
    frames,
    weights,
    *,
    n_mels=None,
    frame_rate=None,
    title=None,
    ax=None,
    path=None,
):
    """Overlay one utterance's attention weights on its log-Mel spectrogram.

    Parameters
    ----------
    frames : array-like of shape (n_frames, n_features)
        The utterance's frames, e.g. one item of
        :class:`~sklearn_ser.LogMelDeltas` output (log-Mel energies first, then
        deltas).
    weights : array-like of shape (n_frames,)
        Its attention weights (one item of
        :meth:`SemiSupervisedAttentionClassifier.attention_weights`).
    n_mels : int, default=None
        Rows of ``frames`` shown as the spectrogram: the first ``n_mels``
        features. Default ``n_features // 3`` (log-Mel + delta + delta-delta).
    frame_rate : float, default=None
        Frames per second, to label the time axis in seconds; default frame index.
    title : str, default=None
    ax : matplotlib Axes, default=None
        Draw there; default a new :class:`matplotlib.figure.Figure`, made without
        pyplot: matplotlib's backend and pyplot's figure list are left alone (in
        a notebook, the returned figure displays itself).
    path : str or path-like, default=None
        Also write the figure there (PNG by the extension).

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> frames = np.random.default_rng(0).normal(size=(50, 12))
    >>> fig = plot_attention(frames, np.full(50, 1 / 50), title="flat")
    >>> len(fig.axes)
    2
    """
    from matplotlib.figure import Figure

    frames = np.asarray(frames, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if frames.ndim != 2:
        raise ValueError(
            f"frames must be 2-D (n_frames, n_features); got {frames.ndim}-D."
        )
    if weights.shape != (frames.shape[0],):
        raise ValueError(
            f"weights must have one value per frame ({frames.shape[0]}); got shape "
            f"{weights.shape}."
        )
    n_mels = n_mels or max(1, frames.shape[1] // 3)
    if ax is None:
        fig = Figure(figsize=(8, 3.2))
        ax = fig.subplots()
    else:
        fig = ax.figure
    scale = 1.0 / frame_rate if frame_rate else 1.0
    extent = (0, frames.shape[0] * scale, 0, n_mels)
    ax.imshow(
        frames[:, :n_mels].T,
        origin="lower",
        aspect="auto",
        cmap="magma",
        extent=extent,
        interpolation="nearest",
    )
    ax.set_ylabel("Mel band")
    ax.set_xlabel("time (s)" if frame_rate else "frame")
    twin = ax.twinx()
    t = (np.arange(frames.shape[0]) + 0.5) * scale
    twin.plot(t, weights, color="cyan", lw=1.5, label="attention")
    twin.fill_between(t, 0, weights, color="cyan", alpha=0.12)
    twin.axhline(1.0 / frames.shape[0], color="white", lw=0.8, ls="--")
    twin.set_ylim(0, max(weights.max() * 1.1, 1e-12))
    twin.set_ylabel("attention weight")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
