"""SemiSupervisedAttentionClassifier: sparse AE + BLSTM + attention, on skorch."""

import inspect
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier
from skorch.callbacks import EpochTimer, LRScheduler, PassthroughScoring, PrintLog
from torch.utils.data import Subset

from .._compat import Interval, StrOptions, _fit_context, validate_parameter_constraints
from .._device import DEVICE_CONSTRAINT
from .._sequences import as_sequences, check_sequences
from .._torch import resolve_device
from ..autoencoders import sparse_ae_loss
from ._callbacks import LabelledValidationScores, ValidEarlyStopping
from ._data import SequenceDataset, batch_indices, dataset_targets, sequence_loader
from ._module import AttentionBLSTMModule, check_n_layers, length_mask
from ._targets import PseudoClassTargets
from ._validation import holdout_split

__all__ = ["SemiSupervisedAttentionClassifier"]


# Options read only when a loader is built (see the classifier's set_params).
_LOADER_PREFIXES = ("iterator_train__", "iterator_valid__", "dataset__")


@contextmanager
def _seeded_torch(random_state, device):
    """Seed torch's global RNG inside a fork, leaving the caller's state intact."""
    if random_state is None:
        yield
        return
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    cuda = device.type == "cuda"
    devices = [device.index or 0] if cuda else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


class SemiSupervisedAttentionClassifier(NeuralNetClassifier):
    """Semi-supervised emotion classifier: sparse AE, BLSTM and attention pooling.

    The attention paper's model as a scikit-learn classifier of frame sequences
    (e.g. the output of :class:`~sklearn_ser.LogMelDeltas`), trained on labelled
    AND unlabeled utterances (``y == -1``, as in :mod:`sklearn.semi_supervised`).
    Every frame is encoded by a sparse autoencoder (sigmoid code, may be
    over-complete) that also reconstructs it; a bidirectional LSTM runs over the
    codes; attention pooling ``alpha_t = softmax_t(u . y_t)`` over each utterance's
    valid frames gives ``Z = sum_t alpha_t y_t``; a linear layer maps ``Z`` to the
    K emotions plus one pseudo-class for unlabeled utterances. The module is
    :class:`AttentionBLSTMModule` (``module__n_codes``, ``module__hidden_size``,
    ``module__num_layers``, ``module__dropout``; ``module__rnn``: ``"gru"`` for
    a lighter recurrent layer, None for none; ``module__pooling``:
    ``"attentive-statistics"`` to pool a weighted standard deviation beside ``Z``).

    The loss is ``L = L_s + reconstruction_weight * L_u``: ``L_s`` is the
    cross-entropy of labelled utterances on their class and of unlabeled ones on the
    pseudo-class; ``L_u`` is the sparse autoencoder's loss over every valid frame of
    every utterance (:func:`~sklearn_ser.autoencoders.sparse_ae_loss`: squared
    reconstruction error + ``sparsity_weight`` * KL(``sparsity_target`` || mean
    code)). With ``pseudo_class=False`` the unlabeled utterances enter ``L_u``
    only; with ``reconstruction_weight=0`` as well (the supervised model) they
    would add nothing to ``L``, so they serve the pre-training
    (``pretrain_epochs``) only and are left out of the joint training.

    Built on :class:`skorch.NeuralNetClassifier`; every skorch parameter works
    (``optimizer__weight_decay``, ``iterator_train__max_batch_frames``, ...).
    ``optimizer__weight_decay`` is torch's, on every parameter (biases included),
    unlike the autoencoders' ``weight_decay`` (weight matrices only).
    Mini-batches are padded per batch with explicit lengths (packed sequences in
    the LSTM) and hold utterances of similar length
    (:class:`~sklearn_ser.classifiers.LengthBucketBatchSampler`).

    Early stopping and the choice of the returned weights (the best epoch)
    validate on part of the TRAINING data, never on data given to ``predict``:
    with ``groups`` passed to ``fit``, on held-out training speakers
    (:func:`~sklearn_ser.classifiers.holdout_split`); without, on a stratified
    sample of utterances.

    Speaker groups in pipelines and cross-validation
        ``fit(X, y, groups=speakers)`` directly. Inside a ``Pipeline``:
        ``pipe.fit(X, y, semisupervisedattentionclassifier__groups=speakers)``.
        In ``cross_val_score`` / ``GridSearchCV`` without metadata routing, pass
        them both to the splitter and to fit:
        ``cross_val_score(pipe, X, y, groups=g, cv=LeaveOneGroupOut(),
        params={"semisupervisedattentionclassifier__groups": g})`` (the fold's
        rows are selected automatically). With
        ``sklearn.set_config(enable_metadata_routing=True)``, request them once,
        ``clf.set_fit_request(groups=True)``, and pass ``params={"groups": g}``;
        the splitter and the classifier then both receive the fold's speakers.

    Parameters
    ----------
    module : torch.nn.Module class, default=AttentionBLSTMModule
        The network class (not an instance); ``n_features`` and ``n_outputs`` are
        set from the data.
    reconstruction_weight : float, default=0.01
        ``C``, the weight of the unsupervised loss ``L_u``. 0 trains the
        classification path only. ``L_u`` sums the squared error over the
        features of a frame (about 120 for fresh standardised log-Mel frames),
        hence the small default.
    sparsity_target : float, default=0.05
        Target mean activation of each code unit (``rho``).
    sparsity_weight : float, default=0.1
        Weight of the KL sparsity penalty inside ``L_u`` (``beta``).
    pseudo_class : bool, default=True
        Give unlabeled utterances a (K+1)-th class in ``L_s``. False: they enter
        ``L_u`` only (the ablation).
    class_weight : "balanced", dict or None, default=None
        Weights of the classes in ``L_s``. ``"balanced"``: inversely proportional
        to the class counts in ``y``, the pseudo-class counting as one class. A
        dict maps labels to weights (key ``-1``: the pseudo-class); missing ones
        weigh 1.
    valid_size : float in [0, 1), default=0.2
        Fraction of training speakers (or utterances) held out for early
        stopping. 0 disables the hold-out (and early stopping).
    train_split : "auto", callable or None, default="auto"
        ``"auto"``: the hold-out described above. ``None``: no validation. A
        callable: skorch's ``train_split(dataset, y, groups=groups)``.
    augment : callable or None, default=None
        ``augment(x, rng) -> x``, applied afresh every epoch to each TRAINING
        utterance as its batch is built (e.g.
        :class:`~sklearn_ser.augmentation.SpecAugment`). The
        validation utterances of early stopping and the inputs of ``predict`` are
        never augmented, so augmentation cannot leak into validation or test
        folds. Applied by the default ``iterator_train`` only.
    lr_schedule : {"constant", "cosine"}, default="constant"
        ``"cosine"``: the learning rate falls from ``lr`` to 0 along half a cosine
        over ``max_epochs`` (torch's ``CosineAnnealingLR``, stepped every epoch;
        a skorch callback named ``lr_scheduler``), so the last epochs make small
        steps and the last epoch's weights are a sensible result without early
        stopping (``valid_size=0``).
    pretrain_epochs : int, default=0
        Before the joint training, train the network's sparse autoencoder alone
        for this many epochs on every frame given to ``fit`` (labelled and
        unlabeled utterances alike; labels are not used: e.g. the supervised
        model with another corpus's speech given as unlabeled), with
        :class:`~sklearn_ser.autoencoders.SparseAE` and the same sparsity
        settings, and start from its weights (the paper's unsupervised
        pre-training; ``pretrained_autoencoder_`` keeps it). 0: random start.
    criterion : torch loss class, default=torch.nn.CrossEntropyLoss
        Per-utterance loss of ``L_s`` on the logits (built with
        ``reduction="none"``; ``criterion__label_smoothing`` works).
    optimizer : torch optimizer class, default=torch.optim.Adam
    lr : float, default=1e-3
    max_epochs : int, default=40
    batch_size : int, default=32
    callbacks : list or None, default=None
        Extra skorch callbacks. The default ones are named
        ``early_stopping`` (monitor ``valid_ce``, the labelled validation
        cross-entropy, smoother than UA; ``patience=8``,
        ``load_best=True``), ``valid_scores``, ``train_loss``, ``valid_loss``,
        ``epoch_timer`` and ``print_log``, so ``callbacks__early_stopping__patience``
        can be grid-searched.
    verbose : int, default=0
    device : {"cpu", "cuda", "auto"} or torch.device, default="cpu"
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, shuffling, dropout and the hold-out split, so a
        CPU fit is reproducible; torch's global random state is left unchanged.
    **kwargs
        Further skorch parameters (``module__*``, ``optimizer__*``,
        ``iterator_train__*``, ``callbacks__*``, ``classes``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The real classes (never -1).
    n_features_in_ : int
        Features per frame seen in ``fit``.
    class_weight_ : ndarray of shape (n_outputs,)
        Weights of the outputs in ``L_s`` (pseudo-class last).
    targets_ : PseudoClassTargets
        The target encoding, output width, class weights and ``L_s`` (every rule
        about the pseudo-class).
    pretrained_autoencoder_ : SparseAE or None
        The pre-trained sparse autoencoder the network started from
        (``pretrain_epochs > 0``).
    module_ : AttentionBLSTMModule
        The trained network (best validation epoch when early stopping ran).
    history_ : skorch.History
        Per-epoch ``train_loss``, ``valid_loss``, ``valid_ua``, ``valid_wa``...

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser import as_sequences
    >>> from sklearn_ser.classifiers import SemiSupervisedAttentionClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = np.array(["ang", "neu"] * 10 + [-1] * 6, dtype=object)
    >>> X = as_sequences(
    ...     [rng.normal(1.0 if v == "ang" else 0.0, 1, (rng.integers(5, 15), 4))
    ...      for v in y])
    >>> clf = SemiSupervisedAttentionClassifier(
    ...     max_epochs=3, module__n_codes=8, module__hidden_size=4, random_state=0)
    >>> clf.fit(X, y).classes_
    array(['ang', 'neu'], dtype=object)
    >>> clf.predict_proba(X[:2]).sum(axis=1).round(6).tolist()
    [1.0, 1.0]
    >>> [a.shape[0] == x.shape[0] for a, x in zip(clf.attention_weights(X[:2]), X)]
    [True, True]
    """

    _parameter_constraints: dict = {
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
        "pseudo_class": ["boolean"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "valid_size": [Interval(Real, 0, 1, closed="left")],
        "train_split": [StrOptions({"auto"}), callable, None],
        "augment": [callable, None],
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "device": [DEVICE_CONSTRAINT, None],  # None: skorch leaves tensors as they are
    }

    def __init__(
        self,
        module=AttentionBLSTMModule,
        *,
        reconstruction_weight=0.01,
        sparsity_target=0.05,
        sparsity_weight=0.1,
        pseudo_class=True,
        class_weight=None,
        valid_size=0.2,
        train_split="auto",
        augment=None,
        pretrain_epochs=0,
        lr_schedule="constant",
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=40,
        batch_size=32,
        iterator_train=sequence_loader,
        iterator_valid=sequence_loader,
        dataset=SequenceDataset,
        callbacks=None,
        verbose=0,
        device="cpu",
        random_state=None,
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            iterator_train=iterator_train,
            iterator_valid=iterator_valid,
            dataset=dataset,
            train_split=train_split,
            callbacks=callbacks,
            verbose=verbose,
            device=device,
            **kwargs,
        )
        self.reconstruction_weight = reconstruction_weight
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.pseudo_class = pseudo_class
        self.class_weight = class_weight
        self.valid_size = valid_size
        self.augment = augment
        self.pretrain_epochs = pretrain_epochs
        self.lr_schedule = lr_schedule
        self.random_state = random_state

    # ------------------------------------------------------------------ skorch setup
    # Each override below exists for a reason of the model's, given in a comment.

    # named callbacks: the labelled validation scores and early stopping on them
    @property
    def _default_callbacks(self):
        schedule = []
        if self.lr_schedule == "cosine":
            # read when the net is initialised (every fit): T_max follows max_epochs
            schedule = [
                (
                    "lr_scheduler",
                    LRScheduler("CosineAnnealingLR", T_max=self.max_epochs),
                )
            ]
        return [
            *schedule,
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_scores", LabelledValidationScores()),
            (
                "early_stopping",
                ValidEarlyStopping(
                    monitor="valid_ce",
                    lower_is_better=True,
                    patience=8,
                    threshold=1e-4,
                    load_best=True,
                ),
            ),
            ("print_log", PrintLog()),
        ]

    # the input is a sequence dataset, not a 2-D array
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.allow_nan = False
        tags.target_tags.required = True
        tags.classifier_tags.multi_class = True
        tags.non_deterministic = self.random_state is None
        return tags

    def set_params(self, **params):
        # skorch (1.4) raises "Something went wrong" when an initialised net gets
        # only loader or dataset options, which need nothing re-initialised: the
        # next loader reads them. get_params and clone read them from the
        # instance's attributes, so set them there.
        if self.initialized_:
            for key in [k for k in params if k.startswith(_LOADER_PREFIXES)]:
                setattr(self, key, params.pop(key))
        # skorch would keep "augment__freq_width" as a separate attribute that
        # nothing reads: route it to the augmentation, as scikit-learn nests
        # (a GridSearchCV over it would otherwise train every candidate alike)
        nested = {
            key.removeprefix("augment__"): params.pop(key)
            for key in [k for k in params if k.startswith("augment__")]
        }
        super().set_params(**params)
        if nested:
            if self.augment is None:
                raise ValueError(
                    f"augment__{next(iter(nested))} was given, but augment is None: "
                    "set augment (for example SpecAugment()) first."
                )
            self.augment.set_params(**nested)
        return self

    # sized from the data seen in fit; may start from the pre-trained autoencoder
    def initialize_module(self):
        if not hasattr(self, "targets_"):
            raise AttributeError(
                f"{type(self).__name__} sizes its network from the data: call fit "
                "instead of initialize()."
            )
        kwargs = self.get_params_for("module")
        kwargs.setdefault("n_features", self.n_features_in_)
        kwargs.setdefault("n_outputs", self.targets_.n_outputs)
        self.module_ = self.initialized_instance(self.module, kwargs)
        sae = getattr(self, "pretrained_autoencoder_", None)
        if sae is not None:
            ae = self.module_.autoencoder
            with torch.no_grad():
                for param, value in [
                    (ae.encoder.weight, sae.coef_),
                    (ae.encoder.bias, sae.intercept_),
                    (ae.decoder.weight, sae.decoder_coef_),
                    (ae.decoder.bias, sae.decoder_intercept_),
                ]:
                    param.copy_(torch.as_tensor(value, dtype=param.dtype))
        return self

    # per-utterance losses: get_loss weights them by class and drops padding
    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        kwargs["reduction"] = "none"  # weighted and masked in get_loss
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    @contextmanager
    def _device_context(self):
        """Resolve ``device="auto"`` for the duration of a call (skorch reads it)."""
        requested = self.device
        if requested is None:
            yield torch.device("cpu")
            return
        resolved = resolve_device(requested)
        if requested == "auto":
            self.device = str(resolved)
        try:
            yield resolved
        finally:
            self.device = requested

    # device="auto" is resolved on the machine that loads the net
    def __setstate__(self, state):
        requested = state.get("device")
        if requested == "auto":
            state["device"] = str(resolve_device("auto"))
        super().__setstate__(state)
        if requested == "auto":
            self.device = "auto"

    # ------------------------------------------------------------------ fitting

    def _validate_params(self):
        """The constraints, and skorch's check of the prefixed arguments.

        Both libraries name their check ``_validate_params``: scikit-learn's
        ``_fit_context`` (on :meth:`fit`, before anything is built) and skorch's
        ``initialize`` reach this one. skorch's part reads the prefixes of the
        built modules (``module__...``), so it runs once the module exists, as at
        the end of skorch's ``initialize``.
        """
        if getattr(self, "module_", None) is not None:
            super()._validate_params()
        validate_parameter_constraints(
            self._parameter_constraints,
            {key: getattr(self, key) for key in self._parameter_constraints},
            caller_name=type(self).__name__,
        )

    # skorch's fit would infer classes from y and pass groups to the module: here
    # y is encoded with the pseudo-class and groups feed the speaker hold-out
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, groups=None):
        """Train on labelled and unlabeled utterances.

        Every call starts from fresh weights (unless ``warm_start=True``) and
        forgets the classes, sizes and weights of a previous fit.

        Parameters
        ----------
        X : sequence dataset of shape (n_samples,)
            1-D object array of ``(n_frames_i, n_features)`` float arrays
            (:func:`sklearn_ser.as_sequences`; the output of
            :class:`~sklearn_ser.LogMelDeltas`).
        y : array-like of shape (n_samples,)
            Labels, ``-1`` for unlabeled utterances (as in
            :mod:`sklearn.semi_supervised`).
        groups : array-like of shape (n_samples,), default=None
            Speaker of each utterance: early stopping then validates on held-out
            training speakers.

        Returns
        -------
        self : SemiSupervisedAttentionClassifier
        """
        X = check_sequences(X, name="X")
        if hasattr(self.augment, "check"):
            self.augment.check(X[0].shape[1])
        targets = PseudoClassTargets.from_labels(
            y,
            n_samples=len(X),
            classes=self.classes,
            pseudo_class=self.pseudo_class,
            class_weight=self.class_weight,
        )
        self.targets_ = targets
        y_enc = targets.encode(y)
        self.n_features_in_ = int(X[0].shape[1])
        # read by skorch's ``classes_``
        self.classes_inferred_ = targets.classes
        self.class_weight_ = targets.weight
        fresh = not self.warm_start or not self.initialized_
        if fresh:
            self.pretrained_autoencoder_ = self._pretrain_autoencoder(X)
        dataset = self._joint_dataset(X, y_enc, groups)
        return self._train(dataset, initialize=fresh, _routing_method="fit")

    def _joint_dataset(self, X, y_enc, groups):
        """The utterances of the joint training: all, but the unlabeled ones when
        they would add nothing to the loss (no pseudo-class and
        ``reconstruction_weight == 0``, the supervised model).

        There they would only take places in the mini-batches (and give Adam
        steps without a gradient in a batch of unlabeled utterances alone); the
        pre-training (``pretrain_epochs``) has already used their frames.
        """
        keep = np.ones(len(X), dtype=bool)
        if not self.pseudo_class and self.reconstruction_weight == 0:
            keep = ~self.targets_.is_unlabeled(y_enc)
        if not keep.all():
            X, y_enc = X[keep], y_enc[keep]
            groups = None if groups is None else np.asarray(groups)[keep]
        return SequenceDataset(X, y_enc, groups=groups)

    def _pretrain_autoencoder(self, X):
        """The sparse autoencoder trained alone on every frame of ``X``, or None.

        Labels are not used, so every training utterance (labelled or not, the
        early-stopping validation speakers included) serves; no data given to
        ``predict`` ever does.
        """
        if not self.pretrain_epochs:
            return None
        from ..autoencoders import SparseAE

        module_params = self.get_params_for("module")
        defaults = inspect.signature(self.module).parameters
        n_codes = module_params.get("n_codes", defaults["n_codes"].default)
        n_layers = module_params.get("n_layers", 1)
        check_n_layers(self.n_features_in_, n_layers)  # before any reshape
        if n_layers > 1:
            # the network starts from equal layer weights: it reads the average
            X = as_sequences([x.reshape(len(x), n_layers, -1).mean(axis=1) for x in X])
        seed = None
        if self.random_state is not None:
            seed = int(check_random_state(self.random_state).randint(2**31 - 2)) + 1
        with self._device_context() as device:
            return SparseAE(
                n_hidden=n_codes,
                sparsity_target=self.sparsity_target,
                sparsity_weight=self.sparsity_weight,
                standardize=False,
                epochs=self.pretrain_epochs,
                lr=self.lr,
                random_state=seed,
                device=str(device),
            ).fit(X)

    # the same encoding of y and the same groups as fit
    @_fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Continue training for ``max_epochs`` epochs (warm start).

        Takes the same ``X`` and ``y`` as :meth:`fit` (with the classes seen there)
        and optionally ``groups``; fit first.
        """
        check_is_fitted(self, "targets_")
        X = check_sequences(X, n_features=self.n_features_in_, name="X")
        groups = fit_params.pop("groups", None)
        dataset = self._joint_dataset(X, self.targets_.encode(y, len(X)), groups)
        return self._train(dataset, **fit_params)

    def _train(self, dataset, initialize=False, **fit_params):
        # skorch takes a Dataset as X with y=None: the encoded targets and the
        # speakers travel in it (skorch infers no classes from them).
        with self._device_context() as device:
            with _seeded_torch(self.random_state, device):
                if initialize:
                    self.initialize()
                super().partial_fit(dataset, None, **fit_params)
        return self

    # the hold-out of whole training speakers (skorch's train_split sees no groups)
    def get_split_datasets(self, X, y=None, **fit_params):
        dataset = self.get_dataset(X, y)
        if self.train_split is None:
            return dataset, None
        y_enc = dataset_targets(dataset)
        groups = getattr(dataset, "groups", None)
        if callable(self.train_split):
            if groups is None:
                return self.train_split(dataset, y_enc)
            return self.train_split(dataset, y_enc, groups=groups)
        if self.valid_size == 0:
            return dataset, None
        seed = int(torch.randint(np.iinfo(np.int32).max, (1,)).item())
        train_idx, valid_idx = holdout_split(
            y_enc,
            groups,
            valid_size=self.valid_size,
            n_classes=self.targets_.n_classes,
            random_state=seed,
        )
        return Subset(dataset, train_idx), Subset(dataset, valid_idx)

    # the training loader mixes labelled and unlabeled utterances in every batch,
    # is seeded from random_state and augments; the other one must not shuffle
    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        iterator = self.iterator_train if training else self.iterator_valid
        kwargs.setdefault("batch_size", self.batch_size)
        if not training and kwargs.get("shuffle"):
            # forward reads the batch order from a second, identical loader
            raise ValueError(
                "iterator_valid__shuffle=True: the validation and prediction loader "
                "must yield the same batches every time it is iterated."
            )
        if iterator is sequence_loader and training:
            kwargs.setdefault("shuffle", True)
            # every batch mixes labelled and unlabeled utterances in proportion
            y = dataset_targets(dataset)
            if y is not None:
                kwargs.setdefault("strata", self.targets_.is_unlabeled(y))
            # drawn from torch's RNG, which fit seeds from random_state
            kwargs.setdefault(
                "seed", int(torch.randint(np.iinfo(np.int32).max, (1,)).item())
            )
            if self.augment is not None:
                # the training loader only: validation and prediction never are
                kwargs.setdefault("augment", self.augment)
        return iterator(dataset, **kwargs)

    # the paper's joint loss
    def get_loss(self, y_pred, y_true, X=None, training=False):
        """``L_s + reconstruction_weight * L_u`` for one mini-batch.

        ``y_pred`` is the module's ``(logits, reconstructions, codes)``; ``X`` the
        batch dict (padded frames and lengths); ``y_true`` the encoded targets
        (:class:`PseudoClassTargets`: the pseudo-class is ``n_classes``). ``L_s``
        is :meth:`PseudoClassTargets.supervised_loss`, ``L_u``
        :func:`~sklearn_ser.autoencoders.sparse_ae_loss` over the valid frames.
        """
        logits, z, h = y_pred
        device = logits.device
        y = torch.as_tensor(y_true, device=device)
        loss = self.targets_.supervised_loss(logits, y, self.criterion_)
        if self.reconstruction_weight > 0:
            # the autoencoder's own input: the layers' weighted sum when
            # module__n_layers > 1, else the frames themselves
            frames = self.module_.mix(X["X"].to(device))
            mask = length_mask(X["lengths"].to(device), frames.shape[1])
            unsup = sparse_ae_loss(
                frames,
                z,
                h,
                mask,
                rho=self.sparsity_target,
                beta=self.sparsity_weight,
            )
            loss = loss + self.reconstruction_weight * unsup
        return loss

    # ------------------------------------------------------------------ inference

    def _check_X(self, X):
        check_is_fitted(self, "targets_")
        return check_sequences(X, n_features=self.n_features_in_, name="X")

    # the frame outputs cannot be concatenated across batches, and the batches are
    # not in input order
    def forward(self, X, training=False, device="cpu"):
        """Logits of every utterance, in input order.

        The batches run through skorch's ``forward_iter``. Unlike skorch's
        ``forward``, only the first module output (the logits, ``n_classes`` (+1
        with the pseudo-class) columns) is gathered, since the frame outputs have a
        different length per batch, and the rows are put back in input order,
        since the loader batches utterances of similar length together.

        Returns
        -------
        logits : torch.Tensor of shape (n_samples, n_outputs)
        """
        dataset = self.get_dataset(self._check_X(X))
        with self._device_context():
            order = np.concatenate(batch_indices(self.get_iterator(dataset)))
            # device=None: the frame outputs stay where they are, unused
            outputs = self.forward_iter(dataset, training=training, device=None)
            logits = torch.cat([out[0].to(device) for out in outputs])
        restored = torch.empty_like(logits)
        restored[torch.as_tensor(order, device=logits.device)] = logits
        return restored

    # the pseudo-class is no answer
    def predict_proba(self, X):
        """Probabilities of the real classes (pseudo-class removed, renormalised).

        Parameters
        ----------
        X : sequence dataset of shape (n_samples,)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; rows sum to 1.
        """
        logits = self.forward(X)  # first: it raises NotFittedError
        logits = self.targets_.real_logits(logits)
        # softmax over the K real logits == the (K+1)-way softmax renormalised
        return torch.softmax(logits.double(), dim=1).numpy()

    # skorch's predict gives the column index, not the class label
    def predict(self, X):
        """Most probable real class of each utterance.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Values of ``classes_``.
        """
        proba = self.predict_proba(X)  # first, for its NotFittedError
        return self.classes_[proba.argmax(axis=1)]

    def attention_weights(self, X):
        """Attention weights of each utterance over its own frames.

        Parameters
        ----------
        X : sequence dataset of shape (n_samples,)

        Returns
        -------
        weights : list of ndarray
            Item ``i`` has shape ``(n_frames_i,)`` and sums to 1.
        """
        X = self._check_X(X)
        weights = [None] * len(X)
        with self._device_context() as device:
            self._set_training(False)
            loader = self.get_iterator(self.get_dataset(X))
            with torch.no_grad():
                for index, (batch, _) in zip(batch_indices(loader), loader):
                    frames = batch["X"].to(device)
                    lengths = batch["lengths"]
                    _, alpha = self.module_.attention(frames, lengths.to(device))
                    alpha = alpha.cpu().numpy()
                    for row, (i, n) in enumerate(zip(index, lengths.tolist())):
                        weights[i] = alpha[row, :n].copy()
        return weights
