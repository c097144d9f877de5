"""Named pipelines: one registry for the command line, the examples and benchmarks.

Each entry is a factory function that builds a fresh, unfitted scikit-learn estimator
whose input is a 1-D array of audio paths (or waveforms) and whose output is an
emotion label, or, for the regression pipelines (``task="regression"``: ``is10-ridge``,
``is10-svr``, ``whisper-ridge``), a continuous rating (arousal, valence...). Look
them up with :func:`list_pipelines` and build one with :func:`make_named_pipeline`.

Adding a pipeline
-----------------
Write a factory that takes keyword-only options (every factory accepts ``memory``,
the feature cache directory, and ``random_state``; add your own with defaults) and
decorate it::

    @register_pipeline(
        "is10-dae-svm",
        "IS10 functionals -> denoising autoencoder code -> StandardScaler -> SVC(rbf).",
    )
    def _is10_dae_svm(*, memory=None, random_state=None, device="cpu"):
        from .autoencoders import DenoisingAE  # import inside: keeps the CLI fast

        return make_pipeline(...)

Pass ``adapts_to_test_speaker=True`` when the pipeline uses statistics of the test
speaker (e.g. per-speaker standardisation): reports and the command line then label
its figures as such. A pipeline that needs the speaker ``groups`` in ``fit`` (early
stopping on held-out training speakers) or in ``predict`` requests them through
scikit-learn metadata routing (``set_fit_request(groups=True)`` on the step, made
under ``sklearn.config_context(enable_metadata_routing=True)``);
:func:`sklearn_ser.evaluation.evaluate` then routes them.
"""

import inspect
from dataclasses import dataclass

from sklearn.pipeline import make_pipeline

# Also found here by name: model files saved before the rule moved to evaluation
# refer to sklearn_ser.pipelines.simplest_within_one_se.
from .evaluation import simplest_within_one_se

__all__ = [
    "PipelineSpec",
    "get_pipeline_spec",
    "list_pipelines",
    "make_named_pipeline",
    "register_pipeline",
]


@dataclass(frozen=True)
class PipelineSpec:
    """One registry entry.

    Attributes
    ----------
    name : str
        The name used on the command line (``--pipelines NAME``).
    description : str
        One line: the steps, in order.
    factory : callable
        ``factory(**options) -> estimator``; builds a new unfitted estimator.
    adapts_to_test_speaker : bool
        True when the pipeline uses statistics of the test speaker's (unlabeled)
        features, so its figures are not strictly speaker-independent.
    default : bool
        True when ``sklearn-ser benchmark`` runs it without ``--pipelines`` on a
        target of its task.
    task : str
        ``"classification"`` (class labels) or ``"regression"`` (continuous
        ratings): the target it predicts.
    """

    name: str
    description: str
    factory: object
    adapts_to_test_speaker: bool = False
    default: bool = False
    task: str = "classification"

    @property
    def options(self):
        """Names of the keyword options the factory accepts."""
        params = inspect.signature(self.factory).parameters
        return tuple(
            p.name
            for p in params.values()
            if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        )


_REGISTRY = {}


def register_pipeline(
    name,
    description,
    *,
    adapts_to_test_speaker=False,
    default=False,
    task="classification",
):
    """Decorator that adds a factory to the registry under ``name``.

    Parameters
    ----------
    name : str
        Registry name, lower-case with dashes (``"is10-svm"``).
    description : str
        One line describing the steps.
    adapts_to_test_speaker : bool, default=False
        Whether the pipeline uses the test speaker's own feature statistics.
    default : bool, default=False
        Whether the benchmark command runs it when no pipeline is named (on a
        target of its ``task``).
    task : {"classification", "regression"}, default="classification"
        The target it predicts: class labels or a continuous rating.

    Returns
    -------
    decorator : callable
        Registers and returns the factory unchanged.
    """

    def decorator(factory):
        if name in _REGISTRY:
            raise ValueError(f"Pipeline {name!r} is already registered.")
        if task not in ("classification", "regression"):
            raise ValueError(
                f"task must be 'classification' or 'regression'; got {task!r}."
            )
        _REGISTRY[name] = PipelineSpec(
            name, description, factory, adapts_to_test_speaker, default, task
        )
        return factory

    return decorator


def list_pipelines(task=None):
    """Names of the registered pipelines, in registration order.

    Parameters
    ----------
    task : {"classification", "regression"}, default=None
        Only the pipelines of that task; all when None.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> from sklearn_ser.pipelines import list_pipelines
    >>> "is10-svm" in list_pipelines()
    True
    >>> list_pipelines("regression")
    ['is10-ridge', 'is10-svr', 'whisper-ridge']
    """
    if task not in (None, "classification", "regression"):
        raise ValueError(
            f"task must be None, 'classification' or 'regression'; got {task!r}."
        )
    return [n for n, s in _REGISTRY.items() if task is None or s.task == task]


def get_pipeline_spec(name):
    """The :class:`PipelineSpec` registered under ``name``.

    Raises
    ------
    ValueError
        If no pipeline has that name; the message lists the known names.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise ValueError(
            f"Unknown pipeline {name!r}; known pipelines: {known}."
        ) from None


def make_named_pipeline(name, **options):
    """Build a new, unfitted estimator from the registry.

    Parameters
    ----------
    name : str
        A name from :func:`list_pipelines`.
    **options
        Keyword options of that pipeline's factory, e.g. ``memory`` (a feature
        cache directory) and ``random_state``.

    Returns
    -------
    estimator : estimator object
        Takes audio paths (or waveforms) as ``X``.

    Raises
    ------
    ValueError
        Unknown name or an option the factory does not accept.

    Examples
    --------
    >>> from sklearn_ser.pipelines import make_named_pipeline
    >>> pipe = make_named_pipeline("is10-svm", C=10.0)
    >>> [step for step, _ in pipe.steps]
    ['opensmileis10', 'standardscaler', 'svc']
    """
    spec = get_pipeline_spec(name)
    accepted = spec.options
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(
            f"Pipeline {name!r} does not accept option(s) {unknown}; "
            f"it accepts: {list(accepted)}."
        )
    return spec.factory(**options)


def _svc(*, C, gamma, probability):
    """SVC(rbf); with ``probability`` calibrated (Platt) on top of it.

    ``CalibratedClassifierCV(SVC(), ensemble=False)`` replaces the deprecated
    ``SVC(probability=True)``: the SVC is fitted on all the training data, the
    sigmoid calibration on its cross-validated decision values; the predicted label
    is then the most probable class.
    """
    from sklearn.svm import SVC

    svc = SVC(kernel="rbf", C=C, gamma=gamma)
    if not probability:
        return svc
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(svc, method="sigmoid", ensemble=False)


def _dae_svm(extractor, *, n_hidden, random_state, device, C, gamma, probability):
    """``extractor -> DenoisingAE -> StandardScaler -> SVC``: the DAE pipelines."""
    from sklearn.preprocessing import StandardScaler

    from .autoencoders import DenoisingAE

    return make_pipeline(
        extractor,
        DenoisingAE(
            hidden_layer_sizes=n_hidden, random_state=random_state, device=device
        ),
        StandardScaler(),
        _svc(C=C, gamma=gamma, probability=probability),
    )


def _neutral_dae_svm(
    extractor,
    *,
    neutral_extractor,
    neutral_data_home,
    memory,
    n_hidden,
    random_state,
    device,
    C,
    gamma,
    probability,
):
    """``extractor -> NeutralEmotionDAE -> StandardScaler -> SVC``.

    Building it pre-trains the neutral encoder once on the neutral corpus's
    features (``neutral_extractor``; None: IS10 cached in ``memory``); every fold
    then shares it frozen.
    """
    from sklearn.frozen import FrozenEstimator
    from sklearn.preprocessing import StandardScaler

    from .autoencoders import NeutralEmotionDAE, fit_neutral_encoder

    neutral = fit_neutral_encoder(
        neutral_data_home,
        n_hidden=n_hidden,
        memory=memory,
        extractor=neutral_extractor,
        random_state=random_state,
        device=device,
    )
    return make_pipeline(
        extractor,
        NeutralEmotionDAE(
            n_hidden=n_hidden,
            neutral_encoder=FrozenEstimator(neutral),
            random_state=random_state,
            device=device,
        ),
        StandardScaler(),
        _svc(C=C, gamma=gamma, probability=probability),
    )


# ---------------------------------------------------------------------------------
# The entries. Import heavy modules inside the factories.
# ---------------------------------------------------------------------------------


@register_pipeline(
    "is10-svm",
    "openSMILE IS10 functionals (1582) -> StandardScaler -> SVC(rbf): "
    "the papers' baseline.",
    default=True,
)
def _is10_svm(
    *, memory=None, random_state=None, C=1.0, gamma="scale", probability=False
):
    from sklearn.preprocessing import StandardScaler

    from .features import OpenSmileIS10

    return make_pipeline(
        OpenSmileIS10(memory=memory),
        StandardScaler(),
        _svc(C=C, gamma=gamma, probability=probability),
    )


@register_pipeline(
    "is10-svm-spkstd",
    "openSMILE IS10 functionals -> per-speaker standardisation (each speaker's own "
    "feature statistics, test speakers included) -> SVC(rbf). Opt-in: adapts to "
    "the test speaker.",
    adapts_to_test_speaker=True,
)
def _is10_svm_spkstd(
    *, memory=None, random_state=None, C=1.0, gamma="scale", probability=False
):
    from .evaluation import SpeakerStandardScaler
    from .features import OpenSmileIS10

    return make_pipeline(
        OpenSmileIS10(memory=memory),
        SpeakerStandardScaler(),
        _svc(C=C, gamma=gamma, probability=probability),
    )


@register_pipeline(
    "is10-dae-svm",
    "openSMILE IS10 functionals -> DenoisingAE (tied weights, pre-trained, then "
    "fine-tuned with the labels) -> StandardScaler -> SVC(rbf).",
)
def _is10_dae_svm(
    *,
    memory=None,
    random_state=None,
    n_hidden=400,
    device="cpu",
    C=1.0,
    gamma="scale",
    probability=False,
):
    from .features import OpenSmileIS10

    return _dae_svm(
        OpenSmileIS10(memory=memory),
        n_hidden=n_hidden,
        random_state=random_state,
        device=device,
        C=C,
        gamma=gamma,
        probability=probability,
    )


@register_pipeline(
    "is10-neutral-dae-svm",
    "openSMILE IS10 functionals -> NeutralEmotionDAE (neutral projection pre-trained "
    "on LibriSpeech IS10, frozen) -> StandardScaler -> SVC(rbf).",
)
def _is10_neutral_dae_svm(
    *,
    memory=None,
    random_state=None,
    n_hidden=400,
    neutral_data_home=None,
    device="cpu",
    C=1.0,
    gamma="scale",
    probability=False,
):
    from .features import OpenSmileIS10

    return _neutral_dae_svm(
        OpenSmileIS10(memory=memory),
        neutral_extractor=None,  # fit_neutral_encoder's IS10, cached in memory
        neutral_data_home=neutral_data_home,
        memory=memory,
        n_hidden=n_hidden,
        random_state=random_state,
        device=device,
        C=C,
        gamma=gamma,
        probability=probability,
    )


def _rating_regressor(regressor):
    """``regressor`` fitted on standardised ratings, its predictions mapped back.

    Standardising the target makes the hyper-parameters (SVR's ``epsilon``, the
    size of the ridge penalty against the target's variance) mean the same on a
    1-5 scale as on -1..1.
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


def _bounded_scaling():
    """Numerically constant features dropped, the others clipped, then standardised.

    A linear model extrapolates: a test feature far outside what training saw sends
    its prediction anywhere (a ridge predicted 10^3 to 10^4 for ratings in -1..1 on
    EMOVO and RAVDESS). Two of IS10's kinds of functional did that:

    - features constant but for float round-off over the training speakers (a
      variance below 1e-12: values of order 1e-9, too small a range for
      ``MinMaxScaler``, which leaves float32 ranges under 1.2e-6 unscaled) are
      dropped (``VarianceThreshold``);
    - every other feature is clipped to the range the training utterances span
      (``MinMaxScaler(clip=True)``), so no test feature lies thousands of
      standard deviations out, and then standardised.
    """
    from sklearn.feature_selection import VarianceThreshold
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    return [VarianceThreshold(1e-12), MinMaxScaler(clip=True), StandardScaler()]


@register_pipeline(
    "is10-ridge",
    "openSMILE IS10 functionals (1582) -> constant ones dropped, the others clipped "
    "to the training range -> "
    "StandardScaler -> Ridge (alpha=1000) on the standardised rating.",
    default=True,
    task="regression",
)
def _is10_ridge(*, memory=None, random_state=None, alpha=1000.0):
    from sklearn.linear_model import Ridge

    from .features import OpenSmileIS10

    return make_pipeline(
        OpenSmileIS10(memory=memory),
        *_bounded_scaling(),
        _rating_regressor(Ridge(alpha=alpha)),
    )


@register_pipeline(
    "is10-svr",
    "openSMILE IS10 functionals (1582) -> constant ones dropped, the others clipped "
    "to the training range -> "
    "StandardScaler -> SVR(rbf, C=1, epsilon=0.1) on the standardised rating.",
    task="regression",
)
def _is10_svr(*, memory=None, random_state=None, C=1.0, epsilon=0.1, gamma="scale"):
    from sklearn.svm import SVR

    from .features import OpenSmileIS10

    return make_pipeline(
        OpenSmileIS10(memory=memory),
        *_bounded_scaling(),
        _rating_regressor(SVR(kernel="rbf", C=C, epsilon=epsilon, gamma=gamma)),
    )


@register_pipeline(
    "logmel-attention",
    "LogMelDeltas (40 log-Mel + deltas, 33 frames/s) -> TrimSilence (35 dB) -> "
    "BLSTM with attention pooling over sparse-AE frame codes, trained on labelled "
    "utterances only (SemiSupervisedAttentionClassifier, reconstruction_weight=0, "
    "no pseudo-class) with SpecAugment, 40 epochs on every training speaker with a "
    "cosine learning-rate schedule, last epoch kept.",
)
def _logmel_attention(
    *, memory=None, random_state=None, device="cpu", max_epochs=40, lr=2e-3
):
    from .classifiers import make_attention_pipeline

    return make_attention_pipeline(
        semi_supervised=False,
        memory=memory,
        random_state=random_state,
        device=device,
        max_epochs=max_epochs,
        lr=lr,
    )


@register_pipeline(
    "logmel-attention-semi",
    "LogMelDeltas (40 log-Mel + deltas, 33 frames/s) -> TrimSilence (35 dB) -> "
    "the semi-supervised attention BLSTM: sparse-AE reconstruction loss (C) and a "
    "pseudo-class for the unlabeled (y == -1) utterances, SpecAugment, 40 epochs "
    "with a cosine learning-rate schedule, last epoch kept.",
)
def _logmel_attention_semi(
    *,
    memory=None,
    random_state=None,
    device="cpu",
    max_epochs=40,
    lr=2e-3,
    reconstruction_weight=0.01,
):
    from .classifiers import make_attention_pipeline

    return make_attention_pipeline(
        semi_supervised=True,
        memory=memory,
        random_state=random_state,
        device=device,
        max_epochs=max_epochs,
        lr=lr,
        reconstruction_weight=reconstruction_weight,
    )


# ---------------------------------------------------------------------------------
# Pretrained speech encoders (the optional extra: pip install "sklearn-ser[pretrained]")
# ---------------------------------------------------------------------------------

WHISPER_MODEL_ENV = "SKLEARN_SER_WHISPER_MODEL"
#: Name of the provisioned model folder searched by :func:`whisper_model_default`.
WHISPER_MODEL_FOLDER = "faster-whisper-base"


def whisper_model_folders():
    """The folders searched, in order, for a provisioned faster-whisper base model.

    ``./models/faster-whisper-base`` (under the current working directory, where
    ``python .ci/provision_whisper_base.py`` puts it in a checkout), then
    ``$XDG_CACHE_HOME/sklearn-ser/models/faster-whisper-base`` (default
    ``~/.cache/sklearn-ser/models/faster-whisper-base``, a user-level place for
    ``--dest``).

    Returns
    -------
    folders : list of str
        Absolute paths; they need not exist.
    """
    import os

    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return [
        os.path.abspath(os.path.join("models", WHISPER_MODEL_FOLDER)),
        os.path.expanduser(
            os.path.join(cache, "sklearn-ser", "models", WHISPER_MODEL_FOLDER)
        ),
    ]


def whisper_model_default(model=None):
    """The Whisper model of the named pipelines.

    ``model`` if given, else ``$SKLEARN_SER_WHISPER_MODEL`` (a local
    faster-whisper/CTranslate2 model folder), else the first folder of
    :func:`whisper_model_folders` that holds a ``model.bin``, else ``"base"``,
    which faster-whisper downloads on a machine with internet.

    Examples
    --------
    >>> whisper_model_default("tiny")
    'tiny'
    """
    import os

    if model:
        return model
    if os.environ.get(WHISPER_MODEL_ENV):
        return os.environ[WHISPER_MODEL_ENV]
    for folder in whisper_model_folders():
        if os.path.isfile(os.path.join(folder, "model.bin")):
            return folder
    return "base"


def _whisper(*, memory, whisper_model, device, pooling="mean+std"):
    from .features import WhisperEncoder

    return WhisperEncoder(
        model=whisper_model_default(whisper_model),
        pooling=pooling,
        device=device,
        memory=memory,
        sampling_rate=16000,  # of in-memory waveforms; files carry their own
    )


@register_pipeline(
    "whisper-svm",
    "Whisper-base encoder (CTranslate2), last layer mean+std pooled (1024) -> "
    "StandardScaler -> SVC(rbf).",
)
def _whisper_svm(
    *,
    memory=None,
    random_state=None,
    whisper_model=None,
    device="cpu",
    C=10.0,
    gamma="scale",
    probability=False,
):
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        _whisper(memory=memory, whisper_model=whisper_model, device=device),
        StandardScaler(),
        _svc(C=C, gamma=gamma, probability=probability),
    )


@register_pipeline(
    "whisper-logreg",
    "Whisper-base encoder (CTranslate2), last layer mean+std pooled (1024) -> "
    "StandardScaler -> LogisticRegression (L2, C=0.1).",
)
def _whisper_logreg(
    *, memory=None, random_state=None, whisper_model=None, device="cpu", C=0.1
):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        _whisper(memory=memory, whisper_model=whisper_model, device=device),
        StandardScaler(),
        LogisticRegression(C=C, max_iter=3000),
    )


@register_pipeline(
    "whisper-layer-vote",
    "Whisper-base encoder, each of its 7 layers (torch, float32) mean+std pooled "
    "(1024) -> StandardScaler -> LogisticRegression (L2, C=0.1), one per layer; "
    "their class probabilities averaged (soft vote).",
    default=True,
)
def _whisper_layer_vote(
    *, memory=None, random_state=None, whisper_model=None, device="cpu", C=0.1
):
    """``whisper-logreg``'s head on every layer of the encoder, voting.

    Emotion is not carried by the last layer best: on RAVDESS the middle layers
    gain 0.02-0.03 UA over it, and the layers err differently, so averaging the
    class probabilities of one classifier per layer gains more (0.770 against
    0.697, chosen on RAVDESS among concatenating the layers, averaging them and
    single layers; confirmed on EMOVO, 0.556 against 0.515; see
    docs/results/frontier.md). Each member is
    ``WhisperEncoder(layer=k) -> StandardScaler -> LogisticRegression(C)``, for
    ``k`` from 0 (the convolutions' output) to the model's last layer, in a
    soft-voting :class:`~sklearn.ensemble.VotingClassifier` (``layer0`` ...
    ``layer6`` for base; their number is read from the model's ``model.bin``
    header, or known from a size name).

    The torch encoder computes every layer at once and ``memory`` keeps them
    under one entry per utterance, so with a cache the audio is encoded once and
    the other members read it; **without** ``memory`` each member encodes the
    audio again (seven times for base).
    """
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from .features._whisper import whisper_encoder_layers

    whisper_model = whisper_model_default(whisper_model)
    n_layers = whisper_encoder_layers(whisper_model)
    if n_layers is None:
        raise ValueError(
            f"whisper_model={whisper_model!r}: whisper-layer-vote needs the number "
            "of encoder layers, read from the folder's model.bin or known from a "
            "Whisper size name (tiny, base, small, medium, large); this is neither."
        )
    members = []
    for k in range(n_layers + 1):
        encoder = _whisper(memory=memory, whisper_model=whisper_model, device=device)
        members.append(
            (
                f"layer{k}",
                make_pipeline(
                    encoder.set_params(layer=k),
                    StandardScaler(),
                    LogisticRegression(C=C, max_iter=3000),
                ),
            )
        )
    return VotingClassifier(members, voting="soft")


@register_pipeline(
    "whisper-ridge",
    "Whisper-base encoder (CTranslate2), last layer mean+std pooled (1024) -> "
    "constant features dropped, the others clipped to the training range -> "
    "StandardScaler -> Ridge (alpha=1000) on the standardised rating.",
    default=True,
    task="regression",
)
def _whisper_ridge(
    *, memory=None, random_state=None, whisper_model=None, device="cpu", alpha=1000.0
):
    from sklearn.linear_model import Ridge

    return make_pipeline(
        _whisper(memory=memory, whisper_model=whisper_model, device=device),
        *_bounded_scaling(),
        _rating_regressor(Ridge(alpha=alpha)),
    )


#: Candidate block weights of ``whisper-is10-fusion``, the preferred first: Whisper
#: alone, IS10 added at three weights, IS10 alone. Chosen per fold on the training
#: speakers by :func:`simplest_within_one_se`.
FUSION_WEIGHTS = (
    {"whisper": 1.0, "is10": 0.0},
    {"whisper": 1.0, "is10": 0.25},
    {"whisper": 1.0, "is10": 0.5},
    {"whisper": 1.0, "is10": 1.0},
    {"whisper": 0.0, "is10": 1.0},
)


@register_pipeline(
    "whisper-is10-fusion",
    "Whisper-base mean+std (1024) and openSMILE IS10 functionals (1582) side by "
    "side, each standardised and weighted -> LogisticRegression (L2, C=0.1); the "
    "block weights chosen on the training speakers (GridSearchCV, 4 speaker folds, "
    "one per speaker when fewer).",
)
def _whisper_is10_fusion(
    *,
    memory=None,
    random_state=None,
    whisper_model=None,
    device="cpu",
    C=0.1,
    weights=FUSION_WEIGHTS,
    inner_folds=4,
):
    """Early fusion whose block weights are tuned inside each training fold.

    A pretrained encoder is not better than IS10 everywhere, and a fixed weighting
    that helps on one corpus hurts on another (IS10 at weight 0.5 gains 0.012 UA
    over Whisper alone on RAVDESS and loses 0.046 on EMOVO). So the fusion chooses
    its weights among ``weights`` (Whisper alone first, IS10 alone last) by
    unweighted accuracy over ``inner_folds`` speaker-grouped folds of the training
    speakers (:class:`~sklearn_ser.evaluation.SpeakerKFold`: one speaker per fold,
    with a warning, when there are fewer training speakers than folds), taking the
    first candidate within one standard error of the best
    (:func:`simplest_within_one_se`): IS10 joins only where it clearly helps. It
    needs the speaker ``groups`` in ``fit`` (``evaluate`` and the command line
    pass them). One weight dict gives the plain fixed fusion.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    from .evaluation import UA_SCORER, SpeakerKFold
    from .features import OpenSmileIS10

    weights = [dict(w) for w in weights]
    union = FeatureUnion(
        [
            (
                "whisper",
                make_pipeline(
                    _whisper(memory=memory, whisper_model=whisper_model, device=device),
                    StandardScaler(),
                ),
            ),
            ("is10", make_pipeline(OpenSmileIS10(memory=memory), StandardScaler())),
        ],
        transformer_weights=weights[0],
    )
    pipe = make_pipeline(union, LogisticRegression(C=C, max_iter=3000))
    if len(weights) == 1:
        return pipe
    return GridSearchCV(
        pipe,
        {"featureunion__transformer_weights": weights},
        cv=SpeakerKFold(n_splits=inner_folds),
        scoring=UA_SCORER,
        refit=simplest_within_one_se,
    )


@register_pipeline(
    "whisper-dae-svm",
    "Whisper-base mean+std (1024) -> DenoisingAE (tied weights, pre-trained, then "
    "fine-tuned with the labels) -> StandardScaler -> SVC(rbf).",
)
def _whisper_dae_svm(
    *,
    memory=None,
    random_state=None,
    whisper_model=None,
    n_hidden=400,
    device="cpu",
    C=1.0,
    gamma="scale",
    probability=False,
):
    return _dae_svm(
        _whisper(memory=memory, whisper_model=whisper_model, device=device),
        n_hidden=n_hidden,
        random_state=random_state,
        device=device,
        C=C,
        gamma=gamma,
        probability=probability,
    )


@register_pipeline(
    "whisper-neutral-dae-svm",
    "Whisper-base mean+std (1024) -> NeutralEmotionDAE (neutral projection "
    "pre-trained on the LibriSpeech subset's Whisper features, frozen) -> "
    "StandardScaler -> SVC(rbf).",
)
def _whisper_neutral_dae_svm(
    *,
    memory=None,
    random_state=None,
    whisper_model=None,
    n_hidden=400,
    neutral_data_home=None,
    device="cpu",
    C=1.0,
    gamma="scale",
    probability=False,
):
    whisper = {"memory": memory, "whisper_model": whisper_model, "device": device}
    return _neutral_dae_svm(
        _whisper(**whisper),
        neutral_extractor=_whisper(**whisper),
        neutral_data_home=neutral_data_home,
        memory=memory,
        n_hidden=n_hidden,
        random_state=random_state,
        device=device,
        C=C,
        gamma=gamma,
        probability=probability,
    )


def _whisper_frames(*, memory, whisper_model, device, stride):
    from .features import FrameStandardScaler

    return make_pipeline(
        _whisper(
            memory=memory, whisper_model=whisper_model, device=device, pooling=None
        ),
        FrameStandardScaler(stride=stride),
    )


# The Whisper attention pipelines keep the training settings their published
# figures were measured with (no augmentation, constant learning rate, early
# stopping on the validation cross-entropy of held-out training speakers), not
# the log-Mel defaults chosen in the attention study (docs/results/attention_study.md).
_WHISPER_ATTENTION_TRAINING = {
    "augment": None,
    "lr_schedule": "constant",
    "valid_size": 0.2,
    "monitor": "valid_ce",
    "patience": 6,
}


@register_pipeline(
    "whisper-attention",
    "Whisper-base encoder frames (50/s, standardised, every 2nd kept) -> BLSTM with "
    "attention pooling over sparse-AE frame codes, labelled utterances only; early "
    "stopping on held-out training speakers.",
)
def _whisper_attention(
    *,
    memory=None,
    random_state=None,
    whisper_model=None,
    device="cpu",
    stride=2,
    max_epochs=30,
    lr=1e-3,
):
    from .classifiers import make_attention_pipeline

    return make_attention_pipeline(
        semi_supervised=False,
        front_end=_whisper_frames(
            memory=memory, whisper_model=whisper_model, device=device, stride=stride
        ),
        random_state=random_state,
        device=device,
        max_epochs=max_epochs,
        lr=lr,
        **_WHISPER_ATTENTION_TRAINING,
    )


@register_pipeline(
    "whisper-attention-semi",
    "Whisper-base encoder frames (50/s, standardised, every 2nd kept) -> the "
    "semi-supervised attention BLSTM (sparse-AE reconstruction loss, pseudo-class "
    "for unlabeled utterances); early stopping on held-out training speakers.",
)
def _whisper_attention_semi(
    *,
    memory=None,
    random_state=None,
    whisper_model=None,
    device="cpu",
    stride=2,
    max_epochs=30,
    lr=1e-3,
    reconstruction_weight=0.01,
):
    from .classifiers import make_attention_pipeline

    return make_attention_pipeline(
        semi_supervised=True,
        front_end=_whisper_frames(
            memory=memory, whisper_model=whisper_model, device=device, stride=stride
        ),
        random_state=random_state,
        device=device,
        max_epochs=max_epochs,
        lr=lr,
        reconstruction_weight=reconstruction_weight,
        **_WHISPER_ATTENTION_TRAINING,
    )


#: Default candidates of ``auto``, in the order of preference of the one-SE rule.
AUTO_CANDIDATES = ("whisper-layer-vote", "whisper-logreg", "whisper-svm", "is10-svm")


def _check_candidates(candidates):
    """The candidate names of ``auto`` as a list, each a plain classifier entry."""
    if isinstance(candidates, str) or not hasattr(candidates, "__iter__"):
        raise ValueError(
            f"candidates must be a list of pipeline names; got {candidates!r}."
        )
    names = list(candidates)
    if not names:
        raise ValueError("candidates is empty: name at least one pipeline.")
    if len(set(names)) != len(names):
        raise ValueError(f"candidates repeat a name: {names}.")
    for name in names:
        if name == "auto":
            raise ValueError("candidates cannot hold 'auto' itself.")
        spec = get_pipeline_spec(name)  # an unknown name lists the known ones
        if spec.task != "classification":
            raise ValueError(
                f"candidates: {name!r} is a {spec.task} pipeline; 'auto' chooses "
                "among classifiers (UA on the training speakers)."
            )
        if spec.adapts_to_test_speaker:
            raise ValueError(
                f"candidates: {name!r} adapts to the test speaker; 'auto' is "
                "speaker-independent and chooses among such pipelines only."
            )
    return names


@register_pipeline(
    "auto",
    "Chooses its back-end inside the training speakers: whisper-layer-vote, "
    "whisper-logreg, whisper-svm or is10-svm, by UA over 4 speaker folds of the "
    "training speakers (one per speaker when fewer), the first within one standard "
    "error of the best.",
)
def _auto(
    *,
    memory=None,
    random_state=None,
    whisper_model=None,
    device="cpu",
    candidates=AUTO_CANDIDATES,
    inner_folds=4,
    n_jobs=None,
    probability=False,
):
    """A grid search over named pipelines, inside the training speakers of a fold.

    No back-end wins on every corpus (Whisper with a linear classifier leads on
    acted speech; on spontaneous speech recorded per speaker the ranking turns
    over), so ``auto`` chooses, for each training set, among ``candidates``
    (registry names, each built with this pipeline's ``memory``,
    ``random_state``, ``whisper_model``, ``device`` and ``probability`` where it
    takes them):
    ``GridSearchCV`` over an :class:`~sklearn_ser.evaluation.EstimatorSwitch`
    with ``cv=SpeakerKFold(inner_folds)`` on the training speakers (one speaker
    per fold, with a warning, when there are fewer), ``scoring=UA_SCORER`` and
    ``refit=simplest_within_one_se``: the first candidate, in the order given,
    whose mean inner UA is within one standard error of the best. The order is
    therefore the order of preference: the default puts the benchmark default
    ``whisper-layer-vote`` first, then the last layer alone (``whisper-logreg``),
    then the last layer with an RBF SVM, then IS10 functionals with an RBF SVM.
    It needs the speaker ``groups`` in ``fit`` (``evaluate`` and the command
    line pass them); ``best_params_`` names the
    choice (``{"choice": "is10-svm"}``), and ``evaluate`` keeps it per fold.

    The cost is that of every candidate fitted ``inner_folds + 1`` times per
    training set; ``n_jobs`` runs the inner fits in parallel. Neural candidates
    are not in the default because of that cost: ``logmel-attention`` among the
    candidates (``candidates=[*AUTO_CANDIDATES, "logmel-attention"]``) costs of
    the order of 1.5 h on EMOVO on 2 CPU cores. ``whisper-is10-fusion`` is not
    either: its own inner search multiplies the cost by about twenty, for the
    same figures as ``whisper-logreg`` on EMOVO and RAVDESS.
    """
    from sklearn.model_selection import GridSearchCV

    from .evaluation import UA_SCORER, EstimatorSwitch, SpeakerKFold

    names = _check_candidates(candidates)
    shared = {
        "memory": memory,
        "random_state": random_state,
        "whisper_model": whisper_model,
        "device": device,
        "probability": probability,
    }
    estimators = []
    for name in names:
        accepted = get_pipeline_spec(name).options
        options = {k: v for k, v in shared.items() if k in accepted}
        estimators.append((name, make_named_pipeline(name, **options)))
    return GridSearchCV(
        EstimatorSwitch(estimators),
        {"choice": names},
        cv=SpeakerKFold(n_splits=inner_folds),
        scoring=UA_SCORER,
        refit=simplest_within_one_se,
        n_jobs=n_jobs,
    )
