"""The held-out folds behind SelfHarmClassifier's thresholds."""

import numpy as np

from evaluation.quality.self_harm import (
    LOOK_ALIKE,
    ORDINARY,
    POSITIVE,
    threshold_rows,
    writer_folds,
)


def test_each_writer_is_held_out_whole_with_a_share_of_the_ordinary_questions() -> None:
    writers = ["a.yml", "a.yml", "b.yml", "c.yml", ORDINARY, ORDINARY, ORDINARY, ORDINARY]
    folds = writer_folds(writers)
    assert len(folds) == 3
    held_out_writers = []
    for train, test in folds:
        named = {writers[i] for i in test} - {ORDINARY}
        assert len(named) == 1
        held_out_writers += named
        assert not named & {writers[i] for i in train}
        assert any(writers[i] == ORDINARY for i in test)
    assert sorted(held_out_writers) == ["a.yml", "b.yml", "c.yml"]
    tested = sorted(i for _, test in folds for i in test)
    assert tested == list(range(len(writers)))


def test_threshold_rows_count_each_group_reaching_the_threshold() -> None:
    probabilities = np.array([0.95, 0.45, 0.6, 0.1, 0.55])
    groups = [POSITIVE, POSITIVE, LOOK_ALIKE, LOOK_ALIKE, ORDINARY]
    by_patterns = np.array([False, True, False, False, False])
    rows = {row[0]: row[1:] for row in threshold_rows(probabilities, groups, by_patterns)}
    assert rows["0.50"] == ["1/2, 2", "1/2, 1", "1/1, 1"]
    assert rows["0.90"] == ["1/2, 2", "0/2, 0", "0/1, 0"]
    assert rows["0.40"] == ["2/2, 2", "1/2, 1", "1/1, 1"]
