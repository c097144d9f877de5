"""The autoencoder entries of the named-pipeline registry, on real EMOVO audio."""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator

from sklearn_ser.autoencoders import DenoisingAE, NeutralEmotionDAE, fit_neutral_encoder
from sklearn_ser.pipelines import list_pipelines, make_named_pipeline


def _emovo_labels(paths):
    return np.array([p.rsplit("/", 1)[-1].split("-")[0] for p in paths])


@pytest.fixture(scope="module")
def emovo_three_classes(data_home):
    """Nine f1 utterances: three of anger, neutral and sadness."""
    files = []
    for emo in ("rab", "neu", "tri"):
        files += sorted((data_home / "emovo" / "f1").glob(f"{emo}-*.wav"))[:3]
    return [str(f) for f in files]


def test_is10_dae_svm_fits_real_audio(emovo_three_classes, tmp_path):
    assert {"is10-dae-svm", "is10-neutral-dae-svm"} <= set(list_pipelines())
    pipe = make_named_pipeline(
        "is10-dae-svm", memory=str(tmp_path), random_state=0, n_hidden=16
    )
    assert isinstance(pipe.steps[1][1], DenoisingAE)
    pipe.set_params(denoisingae__pretrain_epochs=2, denoisingae__finetune_epochs=2)
    X = np.array(emovo_three_classes)
    y = _emovo_labels(emovo_three_classes)
    pipe.fit(X, y)
    dae = pipe.steps[1][1]
    assert dae.coefs_[0].shape == (16, 1582)
    # the labels reached the autoencoder: it was fine-tuned on the three emotions
    assert dae.classes_.tolist() == ["neu", "rab", "tri"]
    assert len(dae.history_["finetune"]) == 2


def test_is10_neutral_dae_svm_uses_librispeech(
    data_home, emovo_three_classes, tmp_path
):
    # one LibriSpeech reader's folder (10 utterances) keeps the test short
    one_reader = data_home / "librispeech_neutral" / "test-other" / "1688"
    pipe = make_named_pipeline(
        "is10-neutral-dae-svm",
        memory=str(tmp_path),
        random_state=0,
        n_hidden=12,
        neutral_data_home=str(one_reader),
    )
    step = pipe.steps[1][1]
    assert isinstance(step, NeutralEmotionDAE)
    assert isinstance(step.neutral_encoder, FrozenEstimator)
    enc = step.neutral_encoder.estimator
    assert enc.n_features_in_ == 1582 and enc.coefs_[0].shape == (12, 1582)
    W = enc.coefs_[0].copy()
    pipe.set_params(
        neutralemotiondae__pretrain_epochs=2, neutralemotiondae__finetune_epochs=2
    )
    X = np.array(emovo_three_classes)
    pipe.fit(X, _emovo_labels(emovo_three_classes))
    np.testing.assert_array_equal(step.neutral_coef_, W)


def test_fit_neutral_encoder_missing_corpus_is_clear(tmp_path):
    # the message names fit_neutral_encoder's own parameter, and the pipeline's
    with pytest.raises(FileNotFoundError, match="pass data_home=") as exc:
        fit_neutral_encoder(tmp_path / "nowhere", n_hidden=4)
    assert "neutral_data_home=" in str(exc.value).split("pipeline's option is")[1]
