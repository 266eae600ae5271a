"""The safety net: every urgent message is caught, whatever else it asks; calm ones rarely are."""

from collections.abc import Callable

import pytest
import spacy
from spacy.language import Language

from core.paths import SPACY_PIPELINE
from extensions.nlu.red_flags import RedFlag, RedFlagMatcher, edit_distance
from tests.safety.cases import NON_EMERGENCIES, PHRASINGS, RED_FLAGS, kind_of

MAX_FALSE_ALARM_RATE = 0.01

Detect = Callable[[str], RedFlag | None]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load(SPACY_PIPELINE)


@pytest.fixture(scope="module")
def matcher(nlp: Language) -> RedFlagMatcher:
    return RedFlagMatcher(nlp.vocab)


@pytest.fixture(scope="module")
def detect(nlp: Language, matcher: RedFlagMatcher) -> Detect:
    """Our pipeline and one matcher, as in the server; messages lowercased as SpacyNLP does."""

    def detect(text: str) -> RedFlag | None:
        return matcher.find(nlp(text.lower()))

    return detect


@pytest.mark.parametrize(
    "case", RED_FLAGS, ids=[f"{i:03d}-{case['category']}" for i, case in enumerate(RED_FLAGS)]
)
def test_every_red_flag_triggers(detect: Detect, case: dict) -> None:
    found = detect(case["text"])
    assert found is not None, f"missed: {case['text']!r}"
    assert found.kind == kind_of(case), found


def test_non_emergencies_rarely_trigger(detect: Detect) -> None:
    alarms = [(case["text"], detect(case["text"])) for case in NON_EMERGENCIES]
    alarms = [(text, found) for text, found in alarms if found]
    rate = len(alarms) / len(NON_EMERGENCIES)
    print(f"\nfalse alarms: {len(alarms)}/{len(NON_EMERGENCIES)} ({rate:.1%})")
    for text, found in alarms:
        print(f"  false alarm: {text!r} -> {found}")
    assert rate <= MAX_FALSE_ALARM_RATE, alarms


@pytest.mark.parametrize(
    "case", PHRASINGS, ids=[f"{i:03d}-{case['kind']}" for i, case in enumerate(PHRASINGS)]
)
def test_every_emergency_phrasing_triggers(detect: Detect, case: dict) -> None:
    found = detect(case["text"])
    assert found is not None, f"missed: {case['text']!r}"
    assert found.kind == kind_of(case), found


# Our own phrasings, beyond the shared test sets.


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I cant feel my leggs", "leg_weakness"),
        ("I have a feever and my bakc hurts", "fever"),
        ("incison is leeking and smells", "wound"),
        ("my chets hurts", "chest_breathing"),
    ],
)
def test_typos_are_tolerated(detect: Detect, text: str, category: str) -> None:
    found = detect(text)
    assert found is not None and found.category == category, found


@pytest.mark.parametrize(
    "text",
    [
        "no fever, no chills, my back is fine",
        "I'm not short of breath",
        "there's no pus or redness around my scar",
        "I don't feel any weakness in my legs",
        "I have no trouble breathing and no chest pain",
        "i've not lost control of my bladder",
    ],
)
def test_denied_symptoms_do_not_trigger(detect: Detect, text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I haven't been able to pee since last night", "bladder_bowel"),
        ("my wound won't stop bleeding", "wound"),
        ("without warning my legs collapsed", "leg_weakness"),
        ("I can't even lift my foot", "leg_weakness"),
        ("I'm not sure but I think I'm short of breath", "chest_breathing"),
    ],
)
def test_negation_words_around_real_symptoms_still_trigger(
    detect: Detect, text: str, category: str
) -> None:
    found = detect(text)
    assert found is not None and found.category == category, found


@pytest.mark.parametrize(
    "text", ["I can't breathe", "i cant breath", "I cannot breathe", "couldnt get my breath"]
)
def test_contractions_with_or_without_apostrophe(detect: Detect, text: str) -> None:
    found = detect(text)
    assert found is not None and found.category == "chest_breathing", found


def test_red_flag_buried_in_a_longer_question(detect: Detect) -> None:
    text = (
        "Thanks for the info about driving. By the way my bum has gone numb since this "
        "morning. Also, when will I be able to fly to Spain?"
    )
    assert detect(text) == RedFlag("red_flag", "saddle_numbness", "bum has gone numb")


def test_self_harm_wins_over_red_flags(detect: Detect) -> None:
    found = detect("I can't feel my legs and honestly I want to end my life")
    assert found is not None and found.kind == "self_harm", found


@pytest.mark.parametrize(
    "text",
    [
        "What should I do if I get a fever after the operation?",
        "how can I tell if my wound is infected",
        "I had a car accident years ago, my back was sore for a week",
    ],
)
def test_questions_and_old_history_do_not_trigger(detect: Detect, text: str) -> None:
    assert detect(text) is None


def test_edit_distance_counts_a_swap_as_one_typo() -> None:
    assert edit_distance("bakc", "back") == 1
    assert edit_distance("fevr", "fever") == 1
    assert edit_distance("kitten", "sitting") == 3


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a resolution that is denied, undone later in the sentence, or in another sentence
        ("my wound was bleeding and it still hasn't stopped", "wound"),
        ("my leg went weak, the GP said it was normal but it's getting worse", "leg_weakness"),
        ("my scar was red, it settled, but it came back this morning hot and swollen", "wound"),
        ("my incision is leaking and the nurse said that is not normal", "wound"),
        ("my legs gave way this morning and the weakness hasn't gone away", "leg_weakness"),
        ("i fell on the ice, the GP said it was fine, but now the pain is unbearable", "trauma"),
        ("numbness between my legs since this morning, it hasn't settled", "saddle_numbness"),
        ("the bleeding stopped. now my stitches have burst open", "wound"),
        # a real fall beside a slipped disc
        ("my disc slipped when I fell down the stairs and my back is agony", "trauma"),
        ("i slipped. my back hurts so much", "trauma"),
        # an operation days ago, said in the ways people say it
        ("my mum had her fusion on tuesday and she's burning up tonight", "fever"),
        ("got fused last week and now i have chills and sweats", "fever"),
    ],
)
def test_still_urgent_where_a_discount_does_not_apply(
    detect: Detect, text: str, category: str
) -> None:
    found = detect(text)
    assert found is not None and found.category == category, found


def test_self_harm_is_never_discounted_as_resolved(detect: Detect) -> None:
    found = detect("I wanted to kill myself last month but it went away")
    assert found is not None and found.kind == "self_harm", found


def test_an_operation_years_ago_is_not_recent(detect: Detect) -> None:
    assert detect("had my fusion years ago, caught flu with a fever, is paracetamol ok?") is None


# Idioms, jokes and harmless old falls: the modifiers `idiom`, `laughter` and `unharmed`.


@pytest.mark.parametrize(
    "text",
    [
        "I literally cannot breathe 🤣 do people really wear a brace after a fusion?",
        "cant breathe lmao my cat just sat on the brace",
        "the nurse's jokes, i couldn't breathe!! 😂😂",
        "haha, i can't breathe, the physio made me waddle like a duck",
        "I nearly wet myself laughing when my son tried the brace on",
        "crying laughing, I couldn't breathe when the porter got stuck in the lift",
    ],
)
def test_a_laughter_marker_makes_its_clause_a_joke(detect: Detect, text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    ["I want to die lol", "honestly i'm going to kill myself haha 😂", "lmao i want to end it all"],
)
def test_a_laughter_marker_never_discounts_self_harm(detect: Detect, text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == "self_harm", found


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("the video was hilarious lol. since this morning my legs have gone weak", "leg_weakness"),
        ("my nurse is a comedian 😂 but my chest feels tight and heavy", "chest_breathing"),
        ("haha the brace is so ugly and my wound is leaking green stuff", "wound"),
        # a fall is a fall, however funny
        ("I fell down the stairs lol and now my back is agony", "trauma"),
    ],
)
def test_a_laughter_marker_leaves_other_clauses_and_falls_alone(
    detect: Detect, text: str, category: str
) -> None:
    found = detect(text)
    assert found is not None and found.category == category, found


@pytest.mark.parametrize(
    "text",
    [
        "I'd rather die than wear this brace at my wedding, can I take it off for the photos?",
        "honestly I'd rather be dead than be seen with a zimmer frame",
        "I was killing myself laughing at the exercise sheet drawings",
    ],
)
def test_death_preferred_to_a_chore_is_an_idiom(detect: Detect, text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I'd rather be dead than live like this",
        "I'd rather die than go on like this",
        "i would rather die than carry on like this, the pain never stops",
        "i'd rather die than have another operation",
    ],
)
def test_death_preferred_to_living_or_suffering_is_self_harm(detect: Detect, text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == "self_harm", found


@pytest.mark.parametrize(
    "text",
    [
        "how long before they cut me open? my back pain is awful",
        "my back is falling apart and it hurts all the time, is a fusion worth it?",
        "I fell asleep on the sofa and woke up with a sore back",
        "the wait for my spine op is killing me and I've got a cold with a fever",
        "is a long car trip ok? my back aches when I drive",
        "the brace is a pain in the neck and I tripped on its strap, no harm done",
    ],
)
def test_idioms_are_no_signs(detect: Detect, text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I fell off the ladder and my hip is killing me",
        "i slipped on the ice and my bakc is killing me",
        "I fell in the garden an hour ago and it's killing me",
        "they cut me open last week and now the wound is bleeding",
    ],
)
def test_a_real_injury_beside_idiomatic_words_still_triggers(detect: Detect, text: str) -> None:
    assert detect(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "tripped over the dog last month, no harm done, anyway how long is recovery?",
        "I slipped on the stairs but caught myself, my back is sore from the brace though",
        "I fell in the garden on sunday and wasn't hurt. my back aches after physio",
        "took a tumble in my twenties and hurt my back, is that why I need a fusion?",
        "when I was 12 I fell off a horse and hurt my back",
    ],
)
def test_old_or_harmless_falls_do_not_trigger(detect: Detect, text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I fell yesterday and wasn't hurt at first but now the pain is unbearable", "trauma"),
        ("tripped over the dog, no harm done, but since then I can't feel my legs", "leg_weakness"),
        ("I fell this morning and my back really hurts", "trauma"),
    ],
)
def test_a_harmful_or_current_fall_still_triggers(detect: Detect, text: str, category: str) -> None:
    found = detect(text)
    assert found is not None and found.category == category, found


# The operation implied: recovery, a brace, stitches, the wound, "N weeks out".


@pytest.mark.parametrize(
    "text",
    [
        "how long does recovery take? I've been shivery and burning up since last night",
        "can I shower with my brace on? I've got the chills and a temperature of 38.5",
        "my stitches look fine but I've had a fever all day",
        "I'm 3 weeks out and running a temperature",
        "3 weeks post fusion and feverish tonight",
        "since I got home from hospital I've had sweats and chills",
    ],
)
def test_an_implied_operation_makes_a_fever_urgent(detect: Detect, text: str) -> None:
    found = detect(text)
    assert found is not None and found.category == "fever", found


def test_a_brace_years_ago_is_not_a_recent_operation(detect: Detect) -> None:
    assert detect("I wore a brace years ago for scoliosis and now I have flu with a fever") is None


# Blood clots (deep vein thrombosis).


@pytest.mark.parametrize(
    "text",
    [
        "since the operation one of my calves is puffy and aching, is that the brace rubbing?",
        "my left leg is swollen and red, 10 days post op",
        "the nurse warned me about clots and now my thigh is hot and swollen",
        "is it a DVT? my calf is really tender",
        "my calf is swollen and warm, how do I know if it's a clot?",
        "my right calf is twice the size of the left since my op",
        "dad's leg has gone big and shiny since they did his spine",
    ],
)
def test_a_swollen_or_painful_calf_after_the_operation_is_a_clot(detect: Detect, text: str) -> None:
    found = detect(text)
    assert found is not None and found.category == "blood_clot", found


@pytest.mark.parametrize(
    "text",
    [
        "how do I avoid clots after the operation?",
        "what are the signs of a clot? my calves ache after walking",
        "the stockings feel tight on my calves, is that normal after the op?",
        "my calves are sore after physio, how long does recovery take?",
        "my calves ache after a long walk, is that normal?",
        "I had a DVT years ago, will I need injections after the fusion?",
        "my calf was swollen after the op but the doctor checked it and said it was fine",
    ],
)
def test_clot_questions_and_ordinary_soreness_do_not_trigger(detect: Detect, text: str) -> None:
    assert detect(text) is None


def test_breathlessness_with_a_swollen_calf_is_chest_breathing(detect: Detect) -> None:
    found = detect("since the op my calf is swollen and now I'm short of breath")
    assert found is not None and found.category == "chest_breathing", found


@pytest.mark.parametrize(
    "text",
    [
        "how long is recovery after a fusion?",
        "will the brace rub on my wound",
        "my legs feel fine but my back is sore",
    ],
)
def test_signs_that_complete_no_rule_skip_the_matcher(
    nlp: Language, matcher: RedFlagMatcher, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """A body site, the recovery or pain alone is no red flag, so the Matcher need not run."""

    def fail(*_: object) -> None:
        raise AssertionError("the Matcher ran")

    monkeypatch.setattr(matcher, "_matcher", fail)
    assert matcher.find(nlp(text.lower())) is None


# A long-standing, unchanged symptom: the `baseline` modifier.


@pytest.mark.parametrize(
    "text",
    [
        "numb toes for ages, no change, can I still have the fusion?",
        "I've had pins and needles in my feet for years from diabetes, after the op will they go?",
        "I get wheezy going uphill, same as always, should I tell the anaesthetist?",
        "my bladder has been weak my whole life, will the catheter after surgery be a problem?",
    ],
)
def test_a_long_standing_unchanged_symptom_is_no_red_flag(detect: Detect, text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a change in the sentence undoes the baseline
        ("my feet have been numb for years, suddenly my legs are weak too", "leg_weakness"),
        (
            "I always get breathless on hills, always have, but since my fusion it's worse",
            "chest_breathing",
        ),
        # the baseline names its own symptom, so another clause's symptom still counts
        (
            "my toes have been numb for years and I've been short of breath all day",
            "chest_breathing",
        ),
        # pain is no baseline for a fever or a fall
        ("chronic back pain for 10 years, got a temp of 39.2 and shivers", "fever"),
        ("I've had back pain for years and I fell off a ladder", "trauma"),
        # a surgical wound is never long-standing
        ("my scar has always been a bit red, it's oozing pus now", "wound"),
    ],
)
def test_a_baseline_undone_or_beside_another_symptom_still_triggers(
    detect: Detect, text: str, category: str
) -> None:
    found = detect(text)
    assert found is not None and found.category == category, found


@pytest.mark.parametrize(
    "text",
    [
        "I'd rather jump off a bridge than phone the surgery again",
        "I'd rather jump in front of a train than do another MRI lol",
        "would rather throw myself off a roof than fill in another form, jk",
    ],
)
def test_a_method_preferred_to_a_chore_or_marked_as_a_joke_is_an_idiom(
    detect: Detect, text: str
) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I'd rather jump off a bridge than live like this lol",
        "I'd rather jump off a bridge than have another operation, I'm not joking",
        "I'd rather throw myself under a bus than go through another day of this",
        "I'd rather die than live like this, kidding",
    ],
)
def test_a_method_preferred_to_living_or_not_a_joke_is_self_harm(detect: Detect, text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == "self_harm", found


@pytest.mark.parametrize(
    ("text", "figure_of_speech"),
    [
        ("i'd sooner jump off a cliff than wear the brace to the wedding", True),
        ("honestly I would rather die than sit in that waiting room again", True),
        ("i'd rather die than live like this", False),
        ("when can I lift my toddler after the fusion", False),
        ("my knee is killing me since the fall", False),
    ],
)
def test_the_reading_says_when_self_harm_words_were_only_a_figure_of_speech(
    nlp: Language, matcher: RedFlagMatcher, text: str, figure_of_speech: bool
) -> None:
    reading = matcher.read(nlp(text.lower()))
    assert reading.self_harm_figure_of_speech is figure_of_speech


# Notes typed in haste, a family's own language, relapses; and words that only sound urgent.

URGENT_IN_OTHER_WORDS = {
    "a fragment belongs to the sentence before it": [
        ("feet numb. both sides. since this morning.", "leg_weakness"),
        ("Temp 38.9. Back agony. Day 6.", "fever"),
        ("arms ok. legs heavy. can't lift them", "leg_weakness"),
    ],
    "a discharging wound beside a hospital discharge": [
        ("since I was discharged the wound has a smelly discharge", "wound"),
        ("green discharge from the scar two days after discharge from hospital", "wound"),
    ],
    "a fever or pain named in the family's language": [
        ("mi mamá tiene fiebre since her operation on monday", "fever"),
        ("papa ko bukhar hai and his back is in a lot of dard after the fusion", "fever"),
    ],
    "a resolution asked is none": [
        ("4 days post op and I can't hold my wee, it just comes out. is normal?", "bladder_bowel"),
    ],
    "soiling the bed unknowingly": [
        (
            "grandad passed urine in his bed last night and didn't wake, he's a week post-op",
            "bladder_bowel",
        ),
    ],
    "a wound's edges separating, in English or the family's language": [
        ("the bottom of the scar is separating and it looks wet", "wound"),
        ("su herida está abierta abajo, surgery was last week", "wound"),
    ],
    "thrown or knocked flat after the operation": [
        (
            "the quad bike tossed me off this morning, five weeks after my fusion, back is agony",
            "trauma",
        ),
        (
            "the dog knocked me clean over on the path and my back really hurts, fused in june",
            "trauma",
        ),
    ],
    "an operation 'las' week": [
        ("my op was las week and now my calf is red and tender", "blood_clot")
    ],
    "suicidal thoughts in shorthand or another language's words": [
        ("58F POD4, disclosed SI with plan to the night nurse", "self_harm"),
        ("dard itna hai ki sab khatam karna chahta hoon", "self_harm"),
    ],
    "another day is no doctor": [("I'd rather die than see another day like this", "self_harm")],
    "giving up on life is no pastime": [
        ("I'd rather be dead than give up on life like this", "self_harm"),
        ("I'd sooner die than give up now", "self_harm"),
    ],
    "a fall said as a header or a tumble": [
        ("took a header down the stairs this morning, back is agony, fused in june", "trauma"),
        ("had a nasty tumble in the garden and my back really hurts, six weeks post op", "trauma"),
    ],
    "a fever of the patient, told by a carer": [
        ("my son had his fusion on monday and now he has a fever", "fever"),
    ],
    "numbness out of nowhere, and a person who nearly went down": [
        (
            "my foot went numb out of the blue at the bus stop and I almost went down",
            "leg_weakness",
        ),
    ],
    "a feverish person told as hot and sweaty": [
        ("mum's fusion was ten days ago and tonight she's boiling and clammy", "fever"),
    ],
    "stool or urine passed unnoticed": [
        (
            "wee leaked out without me noticing twice today and my back is killing me",
            "bladder_bowel",
        ),
    ],
    "self-injury told by the act": [
        ("since they cancelled my op I've been punching my legs until they bleed", "self_harm"),
    ],
    "can't as Jamaican patois writes it": [
        ("mi cyaan hold mi wee since last night and mi back operate two week ago", "bladder_bowel"),
    ],
    "pain heard, not named, after a fall": [
        (
            "mum slipped in the shower an hour ago, fused in march, she howls when she stands",
            "trauma",
        ),
    ],
    "a leg swollen from the knee down": [
        (
            "a week post op and my right leg from the knee down has gone swollen and shiny",
            "blood_clot",
        ),
    ],
    "fluid soaking through the dressing": [
        (
            "something pinkish is soaking through the bandage on my back, four days after surgery",
            "wound",
        ),
    ],
    "a weapon held to one's own body": [
        (
            "some nights I sit with the pistol pressed against my temple, then put it away",
            "self_harm",
        ),
    ],
    "tablets to be washed down all together": [
        (
            "I've a bottle of vodka ready to wash down all my painkillers when they send me home",
            "self_harm",
        ),
    ],
    "self-injury again is a relapse": [
        ("she told me she burned herself again, she's 14 and waiting for her op", "self_harm"),
        ("back to cutting again since the surgery got cancelled", "self_harm"),
    ],
}
ONLY_SOUNDS_URGENT = {
    "a full sentence keeps its own symptoms": [
        "my feet were numb from the epidural. the worst part was the food.",
    ],
    "leaving hospital is no discharge from the wound": [
        "I got discharged on friday and the wound looks fine, when can I shower?",
        "the discharge letter says to keep the dressing on for a week",
        "who should I call about the wound after hospital discharge?",
        "the discharge nurse showed my husband how to change the dressing",
    ],
    "dead as very is no lost feeling": [
        "my feet are dead tired after the supermarket, is that ok 3 weeks out?",
        "dead set on walking to the pub by christmas, is that realistic after a fusion?",
    ],
    "the SI joint is no suicidal thought": [
        "active SI joint pain since the fusion, is that common?",
    ],
    "a send-off is no fall": [
        "they threw me a leaving do at work before the op, when can I go back?",
    ],
    "separate beds are no wound": [
        "we've slept in separate beds since my op, when can we share again?",
    ],
    "death preferred to seeing a doctor is an idiom": [
        "my grandad would sooner die than see a GP, who should he see first about his back?",
    ],
    "death preferred to giving up a pastime is an idiom": [
        "I'd rather be dead than give up bowls, will I still manage the green after a fusion?",
    ],
    "an accident again is no relapse": [
        "I cut myself again chopping onions, can I still do my physio?",
    ],
    "a small child's or a pet's fever is not the patient's": [
        "the baby's been running a temperature all week, can I still lift her 3 weeks after my op?",
        "our toddler caught a fever at nursery, should I keep away from him while my wound heals?",
        "the dog had a fever and the vet kept him in, it's been a rough week since my fusion",
    ],
    "the scratching of an itch is no self-injury": [
        "scratching my skin till it bleeds with this eczema, will it delay my fusion?",
    ],
    "a hot room and sudden news are no symptoms": [
        "the ward was so hot and sweaty after my op, can I bring a fan next time?",
        "out of the blue the surgeon moved my op, how long is recovery anyway?",
    ],
    "open surgery is no open wound": [
        "Is a fusion done as keyhole or a big open incision these days?",
        "open cut or keyhole, which do they do for a neck fusion?",
    ],
    "a razor held to shave, water with the tablets": [
        "I hold the razor to my throat every morning to shave, will a neck fusion change that?",
        "should I drink a full glass of water with all my tablets after the op?",
    ],
    "a mood that took a dive is no fall": [
        "my mood took a dive after the op and my back aches, is that normal?",
    ],
}


@pytest.mark.parametrize(
    ("kind", "text", "category"),
    [
        (kind, text, category)
        for kind, cases in URGENT_IN_OTHER_WORDS.items()
        for text, category in cases
    ],
)
def test_urgent_messages_in_other_words_trigger(
    detect: Detect, kind: str, text: str, category: str
) -> None:
    found = detect(text)
    assert found is not None and found.category == category, (kind, found)


@pytest.mark.parametrize(
    ("kind", "text"), [(kind, text) for kind, texts in ONLY_SOUNDS_URGENT.items() for text in texts]
)
def test_words_that_only_sound_urgent_do_not_trigger(detect: Detect, kind: str, text: str) -> None:
    assert detect(text) is None, kind
