"""``whisper-layer-vote``: one ``whisper-logreg`` head per encoder layer, voting."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ser.evaluation._benchmark import _first_extractor
from sklearn_ser.features import OpenSmileIS10, WhisperEncoder
from sklearn_ser.features._whisper import whisper_encoder_layers
from sklearn_ser.pipelines import get_pipeline_spec, make_named_pipeline


def test_the_number_of_layers_comes_from_the_header_or_the_size_name(
    whisper_model, tmp_path
):
    assert whisper_encoder_layers(whisper_model) == 6  # base, from model.bin
    assert whisper_encoder_layers("tiny.en") == 4
    assert whisper_encoder_layers("large-v3") == 32
    assert whisper_encoder_layers(tmp_path / "faster-whisper-small") == 12
    assert whisper_encoder_layers(tmp_path / "my-model") is None
    with pytest.raises(ValueError, match="whisper_model=.*my-model.*needs the number"):
        make_named_pipeline(
            "whisper-layer-vote", whisper_model=str(tmp_path / "my-model")
        )


def test_one_logreg_head_per_layer_with_the_options_given(whisper_model, tmp_path):
    vote = make_named_pipeline(
        "whisper-layer-vote", memory=str(tmp_path), whisper_model=whisper_model, C=0.3
    )
    assert isinstance(vote, VotingClassifier) and vote.voting == "soft"
    assert vote.weights is None  # every layer counts the same
    assert [name for name, _ in vote.estimators] == [f"layer{k}" for k in range(7)]
    for k, (_, member) in enumerate(vote.estimators):
        encoder, scaler, head = member
        assert isinstance(encoder, WhisperEncoder)
        assert (encoder.layer, encoder.model, encoder.memory) == (
            k,
            whisper_model,
            str(tmp_path),
        )
        assert encoder.pooling == "mean+std"
        assert isinstance(scaler, StandardScaler)
        assert isinstance(head, LogisticRegression) and head.C == 0.3
    assert get_pipeline_spec("whisper-layer-vote").default
    assert (
        make_named_pipeline("whisper-layer-vote", whisper_model="tiny").estimators[-1][
            0
        ]
        == "layer4"
    )


def test_the_vote_is_the_mean_of_the_layers_probabilities(emovo_subset, whisper_model):
    """Fitted on 12 EMOVO files: the probabilities are those of the seven heads,
    each fitted alone on its layer's features, averaged."""
    files = np.asarray(emovo_subset, dtype=object)
    y = np.array(["a", "b", "c"] * 4)
    cache = None  # each member encodes: the test must not depend on a cache
    vote = make_named_pipeline(
        "whisper-layer-vote", memory=cache, whisper_model=whisper_model
    ).fit(files, y)
    by_hand = []
    for k in range(7):
        feats = WhisperEncoder(model=whisper_model, layer=k).fit_transform(files)
        head = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=3000))
        by_hand.append(head.fit(feats, y).predict_proba(feats))
    np.testing.assert_allclose(
        vote.predict_proba(files), np.mean(by_hand, axis=0), rtol=1e-5, atol=1e-6
    )
    # the layers differ: no single layer's probabilities are the vote's
    assert all(not np.allclose(p, np.mean(by_hand, axis=0)) for p in by_hand)
    clone(vote)  # its model file: tests/test_persistence.py, as every pipeline's


def test_the_cache_is_warmed_through_ensembles_and_searches(whisper_model, tmp_path):
    vote = make_named_pipeline("whisper-layer-vote", whisper_model=whisper_model)
    first = _first_extractor(vote)
    assert isinstance(first, WhisperEncoder) and first.layer == 0
    auto = make_named_pipeline("auto", whisper_model=whisper_model)
    assert _first_extractor(auto) is not None
    assert isinstance(_first_extractor(make_named_pipeline("is10-svm")), OpenSmileIS10)
    assert _first_extractor(LogisticRegression()) is None
