"""The check of private members finds what is there and names what is not, before any use."""

import pytest
import socketio

from extensions.channels.socketio import registered_handler
from extensions.dialogue.tracker_store import PRIVATE_MEMBERS
from extensions.private_members import MissingPrivateMember, missing, require, resolves

# Modules, classes and their members that are there, and names that are not.
THERE = ["rasa.core.processor", "rasa.core.processor.DaskGraphRunner", *PRIVATE_MEMBERS]
NOT_THERE = ["rasa.no_such_module", "rasa.core.processor.Gone", "no_such_package.thing"]


def test_what_is_there_resolves_and_what_is_not_does_not() -> None:
    assert [name for name in THERE + NOT_THERE if resolves(name)] == THERE
    # A member renamed in a class that is still there.
    assert not resolves("rasa.shared.nlu.training_data.features.Features._renamed")


def test_require_names_every_missing_member_and_who_needs_it() -> None:
    names = ["rasa.core.processor.DaskGraphRunner", "rasa.core.gone", "rasa.core.Gone.member"]
    assert missing(names) == names[1:]
    with pytest.raises(MissingPrivateMember, match=r"a test needs rasa\.core\.gone, rasa\.core"):
        require(names, "a test")
    require(names[:1], "a test")


def test_socketio_reads_rasas_handler_or_fails_naming_it() -> None:
    sio = socketio.AsyncServer()
    sio.on("user_uttered", handler=print, namespace="/")
    assert registered_handler(sio, "/", "user_uttered") is print
    with pytest.raises(MissingPrivateMember, match="'user_uttered'"):
        registered_handler(sio, "/other", "user_uttered")
