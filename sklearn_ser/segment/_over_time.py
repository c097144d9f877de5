"""Emotion over time: a fitted model applied to each segment of a long recording."""

import copy
import os

import numpy as np
import pandas as pd

from ._segmenter import SpeechSegmenter
from ._source import Recording

__all__ = ["plot_timeline", "predict_over_time", "with_waveform_rate"]


def with_waveform_rate(model, sampling_rate):
    """``model`` ready to take waveforms at ``sampling_rate``, without changing it.

    Each estimator with a ``sampling_rate`` parameter (the feature extractor),
    at the top or inside a :class:`~sklearn.pipeline.Pipeline`, is replaced by a
    shallow copy with that parameter set: fitted state is shared, not copied, and
    the caller's model is left as it was (safe when threads share it).

    Raises
    ------
    ValueError
        No step has a ``sampling_rate`` parameter.
    """
    new, found = _set_rate(model, int(sampling_rate))
    if not found:
        raise ValueError(
            f"No step of {type(model).__name__} has a 'sampling_rate' parameter, so "
            "it cannot be given waveform segments; over-time prediction needs a "
            "model whose feature extractor is an sklearn-ser extractor."
        )
    return new


def _set_rate(est, rate):
    from sklearn.pipeline import Pipeline

    if isinstance(est, Pipeline):
        new, found = copy.copy(est), False
        new.steps = []
        for name, step in est.steps:
            step, hit = _set_rate(step, rate)
            new.steps.append((name, step))
            found |= hit
        return new, found
    if hasattr(est, "get_params") and "sampling_rate" in est.get_params(deep=False):
        new = copy.copy(est)
        new.sampling_rate = rate
        return new, True
    return est, False


def _predict_batch(model, waveforms):
    """Labels and probabilities of a batch, extracting features once."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline) and len(model.steps) > 1:
        head, last = model[:-1], model.steps[-1][1]
        Xt = head.transform(waveforms)
    else:
        last, Xt = model, waveforms
    labels = last.predict(Xt)
    proba = last.predict_proba(Xt) if hasattr(last, "predict_proba") else None
    return labels, proba


def predict_over_time(model, audio, *, segmenter=None, batch_size=16):
    """Predict the emotion of each speech segment of a long recording.

    The recording is segmented (:class:`SpeechSegmenter`, streamed), then its
    segments are read from it ``batch_size`` at a time and classified, so memory
    holds at most one batch of segments (``batch_size * max_segment`` seconds of
    audio and their features), whatever the recording's length. Each segment is
    given to the model at the recording's own rate, as the model would read a
    file holding just that segment (its extractor resamples it the same way).

    Parameters
    ----------
    model : fitted estimator
        Takes waveforms as ``X`` (every sklearn-ser pipeline does), e.g. from
        :func:`sklearn_ser.load_model`.
    audio : str, os.PathLike or array-like of shape (n_samples,)
        The recording: a path, or a waveform at the segmenter's ``sampling_rate``.
    segmenter : SpeechSegmenter, default=None
        How to segment; None means ``SpeechSegmenter()`` (silero-vad,
        ``pip install 'sklearn-ser[segment]'``; waveforms at 16 kHz).
    batch_size : int, default=16
        Segments classified at once.

    Returns
    -------
    rows : pandas.DataFrame
        One row per segment: ``start`` and ``end`` (seconds), ``label`` (``value``
        for a regressor), and ``proba_<class>`` for each of ``model.classes_``
        when the model has ``predict_proba``: the columns of
        ``sklearn-ser predict``.

    Raises
    ------
    FileNotFoundError, AudioError
        The recording is missing or unreadable (named in the message).
    ValueError
        ``batch_size`` below 1, a model without an sklearn-ser extractor, or one
        that needs each utterance's speaker at predict time (a per-speaker
        standardisation).
    """
    from ..evaluation._evaluate import _consumes

    if not isinstance(batch_size, int | np.integer) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
    if _consumes(model, "predict")[0]:
        raise ValueError(
            f"{type(model).__name__} needs the speaker of each utterance at predict "
            "time (it standardises per speaker); over-time prediction of one "
            "recording is not supported for it."
        )
    if segmenter is None:
        segmenter = SpeechSegmenter()
    recording = Recording(audio, segmenter.sampling_rate)
    rate = recording.sampling_rate
    waveform_model = with_waveform_rate(model, rate)
    segments = segmenter.segment(recording)
    classes = getattr(model, "classes_", None)
    labels, probas = [], []
    for i in range(0, len(segments), batch_size):
        batch = [recording.read(s, e, rate) for s, e in segments[i : i + batch_size]]
        lab, proba = _predict_batch(waveform_model, batch)
        labels.append(np.asarray(lab))
        if proba is not None:
            probas.append(proba)
    from sklearn.base import is_regressor

    rows = pd.DataFrame({"start": segments[:, 0], "end": segments[:, 1]})
    # a regressor (trained on ratings) predicts a value, a classifier a label
    column = "value" if is_regressor(model) else "label"
    rows[column] = np.concatenate(labels) if labels else np.array([], dtype=object)
    if classes is not None and (probas or not len(segments)):
        proba = np.vstack(probas) if probas else np.zeros((0, len(classes)))
        for j, c in enumerate(classes):
            rows[f"proba_{c}"] = proba[:, j]
    return rows


def envelope(recording, n_columns):
    """Min and max of the (mono) waveform in ``n_columns`` equal stretches, streamed.

    Returns
    -------
    lo, hi : ndarray of shape (n_columns,)
    """
    lo = np.full(n_columns, np.inf)
    hi = np.full(n_columns, -np.inf)
    total = recording.n_samples
    pos = 0
    for block in recording.blocks(recording.sampling_rate):
        col = np.minimum(
            (pos + np.arange(len(block))) * n_columns // total, n_columns - 1
        )
        np.minimum.at(lo, col, block)
        np.maximum.at(hi, col, block)
        pos += len(block)
    empty = ~np.isfinite(lo)
    lo[empty] = hi[empty] = 0.0
    return lo, hi


def plot_timeline(rows, audio, *, sampling_rate=16000, n_columns=2000, title=None):
    """A figure of emotion over time: probabilities above the waveform.

    The top panel draws each class's probability as a step over each segment; the
    bottom one the waveform's envelope (min/max per pixel column, computed while
    streaming the recording) with the segments shaded and labelled.

    Parameters
    ----------
    rows : pandas.DataFrame
        From :func:`predict_over_time`.
    audio : str, os.PathLike or array-like of shape (n_samples,)
        The same recording.
    sampling_rate : int, default=16000
        Rate of a waveform ``audio``.
    n_columns : int, default=2000
        Horizontal resolution of the envelope.
    title : str, default=None
        Figure title; None names the file.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Save it with ``fig.savefig("timeline.png")``.
    """
    from matplotlib.figure import Figure

    missing = {"start", "end", "label"} - set(rows.columns)
    if missing:
        raise ValueError(
            f"rows lack the column(s) {sorted(missing)}; pass the output of "
            "predict_over_time."
        )
    recording = Recording(audio, sampling_rate)
    lo, hi = envelope(recording, n_columns)
    t = (np.arange(n_columns) + 0.5) * recording.duration / n_columns

    fig = Figure(figsize=(14, 5), layout="constrained")
    ax_p, ax_w = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    proba_cols = [c for c in rows.columns if c.startswith("proba_")]
    colours = {}
    for k, col in enumerate(proba_cols):
        xs, ys = [], []
        for start, end, p in zip(rows.start, rows.end, rows[col]):
            xs += [start, end, np.nan]
            ys += [p, p, np.nan]
        (line,) = ax_p.plot(xs, ys, lw=2, color=f"C{k % 10}", label=col[6:])
        colours[col[6:]] = line.get_color()
    ax_p.set_ylim(0, 1)
    ax_p.set_ylabel("probability")
    if proba_cols:
        ax_p.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    ax_w.fill_between(t, lo, hi, color="0.35", lw=0)
    for start, end, label in zip(rows.start, rows.end, rows.label):
        colour = colours.get(str(label), "C0")
        ax_w.axvspan(start, end, color=colour, alpha=0.25, lw=0)
        ax_p.axvspan(start, end, color="0.9", lw=0, zorder=0)
        if (end - start) / recording.duration > 0.01:
            ax_w.text(
                (start + end) / 2,
                0.98,
                str(label),
                transform=ax_w.get_xaxis_transform(),
                ha="center",
                va="top",
                fontsize="x-small",
                rotation=90,
            )
    ax_w.set_xlim(0, recording.duration)
    ax_w.set_xlabel("time (s)")
    ax_w.set_ylabel("waveform")
    if title is None:
        title = f"Emotion over time: {os.path.basename(recording.name)}"
    fig.suptitle(title)
    return fig
