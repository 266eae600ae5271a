"""The Rasa server installs its changes to Rasa only on the Rasa they were tested on."""

import logging
from collections.abc import Iterator
from importlib.metadata import version

import pytest
import rasa.core.actions.action
import rasa.core.processor
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.shared.nlu.training_data.features import Features

from core.paths import PROJECT_ROOT
from extensions.dialogue.graph_runner import SequentialGraphRunner
from extensions.dialogue.remote_action import ResilientRemoteAction
from extensions.nlu.diet_prediction import predict_with_traced_graph
from extensions.nlu.sparse_features import join_sparse_features
from extensions.private_members import TESTED_RASA_VERSION
from extensions.rasa_server import CHANGES, install_changes

# Where each change is installed, and what it installs there.
TARGETS = [
    (rasa.core.actions.action, "RemoteAction", ResilientRemoteAction),
    (rasa.core.processor, "DaskGraphRunner", SequentialGraphRunner),
    (DIET, "_rasa_predict", predict_with_traced_graph),
    (Features, "_combine_sparse_features", join_sparse_features),
]


@pytest.fixture
def rasa_as_it_is(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """What each target holds now; put back after the test, whatever it installed."""
    held = [getattr(owner, name) for owner, name, _ in TARGETS]
    for (owner, name, _), value in zip(TARGETS, held, strict=True):
        monkeypatch.setattr(owner, name, value)
    yield held


def test_the_tested_rasa_is_the_pinned_and_installed_one() -> None:
    constraints = (PROJECT_ROOT / "constraints.txt").read_text().splitlines()
    assert f"rasa=={TESTED_RASA_VERSION}" in constraints
    assert version("rasa") == TESTED_RASA_VERSION


def test_on_the_tested_rasa_every_change_is_installed(
    rasa_as_it_is: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert install_changes()
    assert [getattr(owner, name) for owner, name, _ in TARGETS] == [
        change for _, _, change in TARGETS
    ]
    assert not caplog.records


@pytest.mark.parametrize(
    "rasa_version, changes, named",
    [
        ("3.7.0", CHANGES, "Rasa is 3.7.0"),
        (
            TESTED_RASA_VERSION,
            [*CHANGES, ("extensions.nlu.sparse_features", ("rasa.shared.nlu.Gone.member",))],
            "rasa.shared.nlu.Gone.member not found",
        ),
    ],
    ids=["another Rasa", "a member missing"],
)
def test_otherwise_nothing_is_installed_and_one_warning_says_why(
    rasa_as_it_is: list[object],
    caplog: pytest.LogCaptureFixture,
    rasa_version: str,
    changes: list[tuple[str, tuple[str, ...]]],
    named: str,
) -> None:
    with caplog.at_level(logging.WARNING):
        assert not install_changes(rasa_version, changes)
    assert [getattr(owner, name) for owner, name, _ in TARGETS] == rasa_as_it_is
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING
    assert "Rasa runs unchanged" in warning.getMessage() and named in warning.getMessage()
