"""No development-set message is in the training data or the tests, equal or nearly copied."""

import pytest

from evaluation.quality.dev_set import (
    DEV_SET_PATH,
    is_near_copy,
    leaked_lines,
    load_dev_texts,
    project_yaml_lines,
    words,
    yaml_text,
)


def test_yaml_text_strips_the_list_dash_key_and_quotes() -> None:
    assert yaml_text('    - text: "Spinal  Fusion??"') == "spinal fusion??"
    assert yaml_text("    - what is a fusion") == "what is a fusion"
    assert yaml_text("  - 'hi there'") == "hi there"


def test_near_copy_needs_three_words_and_80_percent_overlap() -> None:
    assert is_near_copy(
        words("how long is recovery after fusion"), words("how long is recovery after a fusion")
    )
    assert not is_near_copy(words("how long is recovery"), words("how long does the brace stay on"))
    assert not is_near_copy(words("fusion"), words("fusion"))


def test_leaked_lines_finds_equal_and_near_copies_only() -> None:
    dev = ["asdfghjkl", "can I drive a car three weeks after my fusion"]
    lines = [
        ("a.yml:1", "    - asdfghjkl"),
        ("a.yml:2", "    - can i drive a car 3 weeks after my fusion"),
        ("a.yml:3", "    - when can I get behind the wheel again"),
        ("a.yml:4", "    - qwerty"),
    ]
    assert [where for where, _, _ in leaked_lines(dev, lines)] == ["a.yml:1", "a.yml:2"]


def test_no_dev_set_message_is_in_the_training_data_or_the_tests() -> None:
    if not DEV_SET_PATH.exists():
        pytest.skip(f"no development set at {DEV_SET_PATH}: nothing to check against")
    leaks = list(leaked_lines(load_dev_texts(), project_yaml_lines()))
    report = "\n".join(f"{where}: {line}  ~  {dev}" for where, line, dev in leaks)
    assert not leaks, f"rewrite these lines in your own words:\n{report}"
