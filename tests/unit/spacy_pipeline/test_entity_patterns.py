"""The entity ruler finds, without training, what the answers depend on: another operation,
a detail or a length of time the reviewed facts don't cover."""

import pytest
from spacy.language import Language

from spacy_pipeline.build import build_pipeline


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline()


def entities(nlp: Language, text: str) -> list[tuple[str, str]]:
    return [(ent.label_, ent.text) for ent in nlp(text).ents]


@pytest.mark.parametrize(
    ("text", "operation"),
    [
        ("how long to get over a total knee replacement", "knee replacement"),
        ("recovering from my hip op", "hip op"),
        ("is a microdiscectomy the same thing", "microdiscectomy"),
        ("what about a micro-discectomy", "micro-discectomy"),
        ("mum had a laminectomy last year", "laminectomy"),
        ("rehab after an ankle fusion", "ankle fusion"),
        ("wrist fusion recovery time", "wrist fusion"),
        ("big toe fusion, how long off work", "toe fusion"),
        ("ACL reconstruction physio", "ACL"),
        ("rotator cuff repair sling", "rotator cuff"),
        ("physio for a sprained ankle", "sprained ankle"),
        ("artificial disc replacement instead", "disc replacement"),
    ],
)
def test_another_operation_is_found(nlp: Language, text: str, operation: str) -> None:
    assert ("other_operation", operation) in entities(nlp, text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("can i get on a plane in the summer", ("activity", "plane")),
        ("how many nights in hospital after the op", ("detail", "nights in hospital")),
        ("will the screws beep at the airport", ("detail", "screws")),
        ("do metal detectors go off", ("detail", "metal detectors")),
        ("back at my desk 6 weeks after?", ("duration", "6 weeks")),
        ("is a fortnight off enough", ("duration", "a fortnight")),
        ("a couple of months of rest", ("duration", "a couple of months")),
        ("back to work in 8wks", ("duration", "8wks")),
        ("is it a general anaesthetic", ("detail", "anaesthetic")),
        ("will i be awake during the op", ("detail", "awake during")),
        ("do they put you to sleep", ("detail", "put you to sleep")),
        ("any vitamins that help the bone knit", ("detail", "vitamins")),
        ("what should i eat afterwards", ("detail", "eat")),
        ("can it be done by keyhole", ("detail", "keyhole")),
        ("what are the risks of a fusion", ("detail", "risks")),
        ("any side effects later on", ("detail", "side effects")),
        ("could i get nerve damage", ("detail", "nerve damage")),
        ("is a minimally invasive fusion possible", ("detail", "minimally invasive")),
    ],
)
def test_a_specific_the_facts_do_not_cover_is_found(
    nlp: Language, text: str, found: tuple[str, str]
) -> None:
    assert found in entities(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "how long is recovery from a spinal fusion",
        "will a lumbar fusion stop me bending",
        "is physio enough instead of surgery",
        "several months off work, really?",
    ],
)
def test_a_spinal_fusion_question_names_no_other_operation_or_duration(
    nlp: Language, text: str
) -> None:
    labels = {label for label, _ in entities(nlp, text)}
    assert not labels & {"other_operation", "duration"}
