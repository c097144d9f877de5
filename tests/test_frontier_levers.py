"""The frontier study's systems: RAVDESS's steps on every corpus, the layers."""

CLF = "semisupervisedattentionclassifier__"


def test_every_corpus_gets_ravdess_number_of_optimizer_steps(load_script):
    levers = load_script("examples/frontier_levers.py")
    # RAVDESS's folds: 1200 utterances, 38 batches of 32, its 20 epochs unchanged
    assert levers.RAVDESS_STEPS == 760
    assert levers.epochs_for_steps(1200) == 20
    # EMOVO's folds: 490 utterances, 16 batches, 48 epochs (768 steps)
    assert levers.epochs_for_steps(490) == 48
    # 31 batches of 16: 62 steps are 2 epochs, one more step needs a third
    assert levers.epochs_for_steps(490, steps=62, batch_size=16) == 2
    assert levers.epochs_for_steps(490, steps=63, batch_size=16) == 3

    listed = levers.systems("emovo", None, None, n_train=490)
    reference = listed["attention-512-cosine"][0].get_params()
    steps = listed["attention-512-cosine-steps"][0].get_params()
    assert reference[CLF + "max_epochs"] == 20
    assert steps[CLF + "max_epochs"] == 48
    # nothing else moves: the same network, schedule and frames
    for key in ("lr", "lr_schedule", "valid_size", "module__n_codes"):
        assert steps[CLF + key] == reference[CLF + key]
    assert steps["pipeline__framestandardscaler__stride"] == 4
    no_rnn = listed["attention-512-cosine-no-rnn-steps"][0].get_params()
    assert no_rnn[CLF + "module__rnn"] is None
    assert no_rnn[CLF + "max_epochs"] == 48
    # twice the steps: 1520, 95 epochs of 16 batches; nothing else moves
    steps2x = listed["attention-512-cosine-steps2x"][0].get_params()
    assert steps2x[CLF + "max_epochs"] == 95
    for key in ("lr", "lr_schedule", "valid_size", "module__n_codes"):
        assert steps2x[CLF + key] == steps[CLF + key]
    augment = steps2x[CLF + "augment"].get_params()
    assert augment == steps[CLF + "augment"].get_params()
    assert steps2x["pipeline__framestandardscaler__stride"] == 4
    layer3 = listed["attention-512-cosine-steps2x-layer3"][0].get_params()
    assert layer3["pipeline__whisperencoder__layer"] == 3
    assert layer3[CLF + "max_epochs"] == 95
    assert steps2x["pipeline__whisperencoder__layer"] == 4
    ravdess = levers.systems("ravdess", None, None, n_train=1200)
    twice = ravdess["attention-512-cosine-steps2x"][0].get_params()
    assert twice[CLF + "max_epochs"] == 40
    frames25 = listed["attention-512-cosine-steps-25fps"][0].get_params()
    assert frames25["pipeline__framestandardscaler__stride"] == 2
    assert frames25[CLF + "max_epochs"] == 48
    # the encoder's layers: layer 4 of the steps row, their mean, or all seven
    # weighed by the network, SpecAugment's band masked in each of them
    assert steps["pipeline__whisperencoder__layer"] == 4
    average = listed["attention-512-cosine-steps-average"][0].get_params()
    assert average["pipeline__whisperencoder__layer"] == "average"
    layers = listed["attention-512-cosine-steps-layers"][0].get_params()
    assert layers["pipeline__whisperencoder__layer"] == "all"
    assert layers[CLF + "module__n_layers"] == 7
    assert layers[CLF + "augment"].n_blocks == 7
    assert layers[CLF + "augment"].freq_width == steps[CLF + "augment"].freq_width
    for row in (average, layers):
        assert row[CLF + "max_epochs"] == 48
        assert row["pipeline__framestandardscaler__stride"] == 4
    # the seed vote of the 25-frames row: its three members differ only in seed
    vote = listed["attention-512-cosine-steps-25fps-seeds3"][0]
    members = [est.get_params() for _, est in vote.estimators]
    assert vote.voting == "soft"
    for k, member in enumerate(members):
        assert member[CLF + "random_state"] == k
        for key in ("max_epochs", "lr", "module__n_codes"):
            assert member[CLF + key] == frames25[CLF + key]
        assert member["pipeline__framestandardscaler__stride"] == 2
