"""The entity ruler finds, without training, what the answers depend on: another operation,
a detail or a length of time the reviewed facts don't cover."""

import json

import pytest
import yaml
from spacy.language import Language

from core.paths import PROJECT_ROOT
from spacy_pipeline.build import HIDING_LABELS, PATTERNS_PATH, build_pipeline


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
        # a fused joint other than the spine, in any word order
        ("my auntie's ankle was fused in the spring, what's that like", "ankle was fused"),
        ("knee fused after a bad break, does that rule out anything", "knee fused"),
        ("living with a fused wrist, any tips", "fused wrist"),
        ("the podiatrist wants to fuse my big toe", "fuse my big toe"),
        ("both ankles have been fused already", "ankles have been fused"),
        ("my thumb's fused, can I still type", "thumb's fused"),
        ("what's the healing time for fusion of the wrist", "fusion of the wrist"),
        ("big toe joint fusion, can I wear heels", "toe joint fusion"),
        ("subtalar arthrodesis recovery", "subtalar arthrodesis"),
        ("my hip was fused as a child", "hip was fused"),
        ("is sacroiliac joint fusion a big operation", "sacroiliac joint fusion"),
        ("SI joint fusion, how long on crutches", "SI joint fusion"),
        # a decompression on its own, or weighed against a fusion
        ("had a discectomy in May, how long until I can lift", "discectomy"),
        ("discectomy or fusion for a slipped disc?", "discectomy"),
        ("would a laminectomy on its own be enough instead of a fusion", "laminectomy"),
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
        # the same words in their own sense, beside phrases that use them in another
        ("how soon can I jog again", ("activity", "jog")),
        ("when can I work out again", ("activity", "work out")),
        ("can I run again after the op", ("activity", "run")),
        ("can my husband drive me to physio", ("activity", "drive")),
        ("can I lift a full laundry basket", ("activity", "lift")),
        ("what should I eat to help the bone heal", ("detail", "eat")),
        ("do the stitches dissolve on their own", ("detail", "stitches")),
        ("off work for six weeks, is that enough", ("duration", "six weeks")),
        ("3 days a week at the office after 6 weeks?", ("duration", "6 weeks")),
        ("off my feet for a week after", ("duration", "a week")),
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
        # a decompression done together with a fusion is the fusion
        "how long is recovery from an anterior cervical discectomy and fusion",
        "the consultant has put me down for a laminectomy and fusion at L4/5",
        "decompression and fusion, how long before I can walk the dog",
        "booked for a microdiscectomy with fusion, what does that involve",
        "laminectomy, discectomy and fusion on the same day, is that normal",
        "micro-discectomy and lumbar fusion recovery",
        "they'll do the fusion with a laminectomy at the same time",
        "posterior lumbar interbody fusion, what is it",
        "what is a TLIF and how long off work",
        # a fused spine, a fused person, and joints that are only mentioned
        "my spine was fused at two levels, can I ski",
        "once I'm fused will my knees take more strain",
        "once I'm fused my hips will do more of the work, right?",
        "can I still look over my shoulder once my neck is fused",
        "can I garden on my knees with fused vertebrae",
    ],
)
def test_a_spinal_fusion_question_names_no_other_operation_or_duration(
    nlp: Language, text: str
) -> None:
    labels = {label for label, _ in entities(nlp, text)}
    assert not labels & {"other_operation", "duration"}


@pytest.mark.parametrize(
    "text",
    [
        # an idiom or another sense of an activity's or a detail's word
        "that might jog her memory about what the surgeon said",
        "trying to work out which surgeon to go with",
        "can't work out whether I need it at all",
        "fingers crossed the fusion will work out, how long is recovery",
        "pain running down my thigh, is that from the fusion",
        "the wait is driving me round the bend, do I need the op",
        "I run a small cafe, when could I go back",
        "can you run me through what happens on the day",
        "the physio had us in stitches, what exercises come next",
        "can't lift my left leg off the bed",
        "making a rod for my own back by skipping the exercises?",
        "I don't want to screw up the fusion",
        "I help at the food bank on Fridays, will I manage that",
        # an everyday meal, not a question about diet
        "can I sit at the table to eat my dinner after the op",
        # how often and how old, not how long
        "she takes her tablets four times a day, is that ok before the op",
        "how many hours a night should I sleep in the brace",
        "I'll call it a day for now, thanks",
        "I'm a 62 year old joiner, is fusion worth it",
        "my 8 year old keeps asking what the operation is",
    ],
)
def test_a_word_used_in_another_sense_names_no_activity_detail_or_duration(
    nlp: Language, text: str
) -> None:
    labels = {label for label, _ in entities(nlp, text)}
    assert not labels & {"activity", "detail", "duration"}


def test_the_labels_no_answer_reads_are_left_out_by_the_extractor() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    extractor = next(c for c in config["pipeline"] if c["name"] == "SpacyEntityExtractor")
    dimensions = set(extractor["dimensions"])
    lines = PATTERNS_PATH.read_text().splitlines()
    labels = {json.loads(line)["label"] for line in lines if line.strip()}
    assert not HIDING_LABELS & dimensions
    assert labels - dimensions == HIDING_LABELS
