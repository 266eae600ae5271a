"""Red-flag detection by reviewed rules, so urgent symptoms never depend on a trained classifier.

The concepts, token patterns and rules live in red_flag_patterns.yml, where a clinician can
review them; this module only compiles them into one spaCy Matcher and applies them.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lookups import load_lookups
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from core.emergency import EMERGENCY_KINDS

PATTERNS_PATH = Path(__file__).with_name("red_flag_patterns.yml")
# The norm of a shadow token that stands for no keyword; no pattern lists it.
NO_TERM = "<no red-flag term>"
MODIFIERS = ("negation", "hypothetical", "history", "resolved", "idiom", "laughter", "baseline")
CUE_LABELS = (
    "hypothetical",
    "history",
    "resolved",
    "unharmed",
    "recurrence",
    "until_lately",
    "idiom",
    "laughter",
    "baseline",
    "change",
)
# A sign inside an idiom is no sign at all, so idioms discount even context signs ("cut me open").
DISCOUNTS_CONTEXT = frozenset({"idiom"})
EXCEPTION_SUFFIX = "!except"
SCOPES = ("sentence", "message")
SENTENCE_END_CHARACTERS = set(".?!")
# Sentences this short are fragments of the one before: "both.", "since this morning."
FRAGMENT_WORDS = 3
REPEATED_LETTER = re.compile(r"([a-z])\1{2,}")


@dataclass(frozen=True)
class RedFlag:
    """An urgent finding: `kind` picks the response, `category` and `matched` explain it."""

    kind: str
    category: str
    matched: str


@dataclass(frozen=True)
class Reading:
    """What the patterns read in a message: its red flag, if any, and whether words of
    self-harm were there only as a reviewed figure of speech ("I'd rather die than wear a
    brace"), which answers the self-harm classifier's doubt about the same words.
    """

    red_flag: RedFlag | None
    self_harm_figure_of_speech: bool = False


@dataclass(frozen=True)
class _SignMatch:
    """Where a sign was found, and which modifiers (negation, ...) discount it there."""

    start: int
    end: int
    sentence: int
    modifiers: frozenset[str]


@dataclass(frozen=True)
class _Rule:
    """Signs that must all be found, within one sentence or the whole message."""

    scope: str
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class _Category:
    """A red-flag category: its response kind, the modifiers that discount it, its rules."""

    name: str
    kind: str
    modifiers: frozenset[str]
    rules: tuple[_Rule, ...]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, counting a swap of neighbours ("bakc") as one edit, like a typo."""
    rows = [list(range(len(b) + 1))]
    for i, char_a in enumerate(a, 1):
        row = [i]
        for j, char_b in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (char_a != char_b)))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def max_typos(keyword: str) -> int:
    """Edits tolerated in a keyword: none in words of three letters, where any edit is a word."""
    if len(keyword) <= 3:
        return 0
    return 1 if len(keyword) <= 9 else 2


class RedFlagMatcher:
    """Finds urgent symptoms in a message, whatever else it asks, tolerating typos."""

    def __init__(self, vocab: Vocab, patterns_path: Path = PATTERNS_PATH) -> None:
        spec = yaml.safe_load(patterns_path.read_text(encoding="utf-8"))
        sections = [spec["shared"], *spec["categories"].values()]
        self._concepts = _merged(sections, "concepts")
        self._phrases = _merged(sections, "phrases")
        modifiers = spec["modifiers"]
        self._clause_breaks = set(modifiers["clause_breaks"])
        self._negation_window = modifiers["negation"]["window"]
        self._negations = set(modifiers["negation"]["words"])
        self._pseudo_negations = set(modifiers["negation"]["pseudo"])
        self._gap_token = {
            "TEXT": {"REGEX": r"^(?![.?!]+$)[^\n]*$"},
            "LOWER": {"NOT_IN": sorted(self._negations)},
            "OP": "?",
        }
        self._lemmas = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self._english_words = set(self._lemmas.values()) | STOP_WORDS
        signs = _merged(sections, "signs")
        sign_patterns = {
            name: sign["patterns"] if isinstance(sign, dict) else sign
            for name, sign in signs.items()
        }
        exception_patterns = {
            name + EXCEPTION_SUFFIX: sign["except"]
            for name, sign in signs.items()
            if isinstance(sign, dict) and "except" in sign
        }
        cue_patterns = {label: modifiers[label] for label in CUE_LABELS}
        every_pattern = [
            *(pattern for patterns in sign_patterns.values() for pattern in patterns),
            *(pattern for patterns in exception_patterns.values() for pattern in patterns),
            *(pattern for patterns in cue_patterns.values() for pattern in patterns),
            *self._phrases.values(),
        ]
        self._keywords = {
            word
            for pattern in every_pattern
            for element in pattern
            if "words" in element or "concept" in element or "not_concept" in element
            for word in self._words(element)
        }
        # The vocabulary whose strings name the matches (spaCy's stubs hide Matcher.vocab).
        self._vocab = vocab
        self._matcher = Matcher(vocab, validate=True)
        compiled = {
            name: [self._compile(pattern) for pattern in patterns]
            for name, patterns in {**sign_patterns, **exception_patterns, **cue_patterns}.items()
        }
        for name, patterns in compiled.items():
            self._matcher.add(name, patterns)
        self._sign_requirements = {
            name: [_requirements(pattern) for pattern in compiled[name]] for name in sign_patterns
        }
        self._context_signs = {
            name for name, sign in signs.items() if isinstance(sign, dict) and sign.get("context")
        }
        # Modifiers a sign ignores: pain stays pain beside a long-standing symptom.
        self._ignored = {
            name: frozenset(sign.get("ignores", ())) if isinstance(sign, dict) else frozenset()
            for name, sign in signs.items()
        }
        self._categories = sorted(
            (_category(name, spec_) for name, spec_ in spec["categories"].items()),
            key=lambda category: category.kind != "self_harm",
        )
        self._check_rules(signs)
        self._keywords_by_initial: dict[str, list[str]] = defaultdict(list)
        for keyword in sorted(self._keywords):
            self._keywords_by_initial[keyword[0]].append(keyword)
        self._nearest_keyword = lru_cache(maxsize=8192)(self._find_nearest_keyword)

    def find(self, doc: Doc) -> RedFlag | None:
        """The most urgent red flag in a lowercased message; self-harm wins over the others."""
        return self.read(doc).red_flag

    def read(self, doc: Doc) -> Reading:
        """The most urgent red flag, and whether self-harm words were only a figure of speech."""
        terms = [self._term(token) for token in doc]
        if not self._may_hold_a_rule(terms, [token.text for token in doc]):
            return Reading(None)
        sentences, clauses = _sentence_and_clause_ids(doc, self._clause_breaks)
        cues: dict[str, list[tuple[int, int]]] = defaultdict(list)
        found: list[tuple[str, int, int]] = []
        for match_id, start, end in self._matcher(self._shadow(doc, terms)):
            label = self._vocab.strings[match_id]
            if label in CUE_LABELS or label.endswith(EXCEPTION_SUFFIX):
                cues[label].append((start, end))
            else:
                found.append((label, start, end))
        # A denied resolution ("hasn't gone away") is none, nor is one dated before the sign ("it
        # was fine yesterday"), nor one asked ("is normal?"); "no harm done" holds its own "no".
        passed = [
            cue
            for cue in cues["resolved"]
            if not self._is_negated(doc, cue[0], clauses, cue[1])
            and not any(start < cue[1] <= end for start, end in cues["until_lately"])
            and not _asked(doc, cue[1])
        ]
        resolutions = [
            (start, end)
            for start, end in passed + cues["unharmed"]
            if not any(
                sentences[later] == sentences[start] and later >= end
                for later, _ in cues["recurrence"]
            )
        ]
        joking = _laughter_clauses(cues["laughter"], doc, clauses)
        found = [
            (label, start, end)
            for label, start, end in found
            if not _within(cues[label + EXCEPTION_SUFFIX], start)
        ]
        steady = _baseline_clauses(
            cues["baseline"],
            cues["change"],
            [start for label, start, _ in found if label not in self._context_signs],
            sentences,
            clauses,
        )
        signs: dict[str, list[_SignMatch]] = defaultdict(list)
        for label, start, end in found:
            discounted = frozenset(
                modifier
                for modifier, applies in (
                    ("negation", self._is_negated(doc, start, clauses)),
                    ("hypothetical", _cue_before(cues["hypothetical"], start, clauses)),
                    ("history", _cue_in_clause(cues["history"], start, clauses)),
                    ("resolved", _cue_after_in_sentence(resolutions, end, sentences)),
                    ("idiom", _within(cues["idiom"], start) or _within(cues["idiom"], end - 1)),
                    ("laughter", clauses[start] in joking),
                    ("baseline", clauses[start] in steady),
                )
                if applies
                and (label not in self._context_signs or modifier in DISCOUNTS_CONTEXT)
                and modifier not in self._ignored[label]
            )
            signs[label].append(_SignMatch(start, end, sentences[start], discounted))
        for category in self._categories:
            span = _first_rule_span(category, signs)
            if span:
                return Reading(RedFlag(category.kind, category.name, doc[span[0] : span[1]].text))
        figure_of_speech = any(
            _first_rule_span(replace(category, modifiers=category.modifiers - {"idiom"}), signs)
            for category in self._categories
            if category.kind == "self_harm"
        )
        return Reading(None, figure_of_speech)

    def _compile(self, pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Spell out a pattern of the YAML file as spaCy Matcher tokens on the shadow norms."""
        tokens: list[dict[str, Any]] = []
        for element in pattern:
            if "phrase" in element:
                tokens.extend(self._compile(self._phrases[element["phrase"]]))
                continue
            if "gap" in element:
                tokens.extend([self._gap_token] * element["gap"])
                continue
            if "regex" in element:
                token: dict[str, Any] = {"TEXT": {"REGEX": element["regex"]}}
            elif "not_words" in element:
                token = {"LOWER": {"NOT_IN": element["not_words"]}}
            elif "not_concept" in element:
                # On the norm, so a misspelt body part is still one ("my bakc is killing me").
                token = {"NORM": {"NOT_IN": sorted(self._inflected(element))}}
            else:
                words = self._inflected(element)
                # One word is compared in C; a set costs a Python call per token.
                token = {"NORM": words.pop() if len(words) == 1 else {"IN": sorted(words)}}
            if "op" in element:
                token["OP"] = element["op"]
            tokens.append(token)
        return tokens

    def _inflected(self, element: dict[str, Any]) -> set[str]:
        """An element's words and their inflections listed elsewhere ("hurt": "hurting")."""
        words = set(self._words(element))
        return words | {k for k in self._keywords if self._lemmas.get(k, k) in words}

    def _words(self, element: dict[str, Any]) -> list[str]:
        """The words an element accepts; YAML turns bare no/on/off into booleans, so check."""
        if "words" in element:
            words = element["words"]
        else:
            names = element.get("concept") or element["not_concept"]
            names = [names] if isinstance(names, str) else names
            words = [word for name in names for word in self._concepts[name]]
        if not all(isinstance(word, str) for word in words):
            raise ValueError(f"quote the words of {element} in the patterns file")
        return words

    def _check_rules(self, signs: dict[str, Any]) -> None:
        """Fail at start-up, not on a message, when a rule names an unknown sign."""
        for category in self._categories:
            for rule in category.rules:
                unknown = {sign for group in rule.groups for sign in group} - signs.keys()
                if unknown:
                    raise ValueError(f"{category.name}: unknown signs {sorted(unknown)}")

    def _may_hold_a_rule(self, terms: list[str | None], texts: list[str]) -> bool:
        """Whether some rule could hold: for each of its groups, a sign pattern finds every
        keyword it requires among the message's terms, and a token for each of its regexes
        ("39.1c", "pod3").

        So most messages skip the matcher, its costliest step, even those naming a body site
        or the recovery alone, which no rule takes as enough.
        """
        present = set(terms)
        possible = {
            sign
            for sign, patterns in self._sign_requirements.items()
            if any(
                all(not keywords.isdisjoint(present) for keywords in required)
                and all(any(regex.search(text) for text in texts) for regex in regexes)
                for required, regexes in patterns
            )
        }
        return any(
            all(not possible.isdisjoint(group) for group in rule.groups)
            for category in self._categories
            for rule in category.rules
        )

    def _shadow(self, doc: Doc, terms: list[str | None]) -> Doc:
        """The message again, each token's norm the keyword it stands for.

        The matcher reads a norm in C; an extension attribute costs it a Python object per
        token and pattern, most of a message's detection time.
        """
        shadow = Doc(
            self._vocab,
            words=[token.text for token in doc],
            spaces=[bool(token.whitespace_) for token in doc],
        )
        for shadow_token, term in zip(shadow, terms, strict=True):
            shadow_token.norm_ = term or NO_TERM
        return shadow

    def _term(self, token: Token) -> str | None:
        """The keyword a token stands for: its text, its lemma, or the keyword it misspells.

        A letter typed three times or more counts twice ("sooo", "reallly", "swolllen").
        """
        text = token.lower_
        bare = text.replace("'", "").replace("\u2019", "")
        squeezed = REPEATED_LETTER.sub(r"\1\1", bare)
        for form in (text, bare, token.lemma_.lower(), squeezed):
            if form in self._keywords:
                return form
        return self._nearest_keyword(squeezed)

    def _find_nearest_keyword(self, word: str) -> str | None:
        """The closest keyword to a misspelt word; a correctly spelt other word is no typo."""
        if len(word) < 4 or not word.isalpha() or self._is_english_word(word):
            return None
        best: tuple[int, str] | None = None
        for keyword in self._keywords_by_initial.get(word[0], ()):
            allowed = max_typos(keyword)
            if abs(len(keyword) - len(word)) > allowed:
                continue
            distance = edit_distance(word, keyword)
            if distance <= allowed and (best is None or distance < best[0]):
                best = (distance, keyword)
        return best[1] if best else None

    def _is_english_word(self, word: str) -> bool:
        return word in self._lemmas or word in self._english_words

    def _is_negated(self, doc: Doc, start: int, clauses: list[int], end: int | None = None) -> bool:
        """A negation word shortly before the span, in its clause ("no fever", "not numb").

        With `end`, a negation inside the span counts too ("said it was not normal").
        """
        for i in range(start, end or start):
            if doc[i].lower_ in self._negations:
                return True
        for i in range(start - 1, max(start - self._negation_window, 0) - 1, -1):
            if clauses[i] != clauses[start]:
                return False
            if doc[i].lower_ in self._negations:
                following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
                if following not in self._pseudo_negations:
                    return True
        return False


def _merged(sections: Iterable[dict[str, Any]], key: str) -> dict[str, Any]:
    """One namespace for the concepts (or phrases, signs) of all sections of the file."""
    merged: dict[str, Any] = {}
    for section in sections:
        for name, value in (section.get(key) or {}).items():
            if name in merged:
                raise ValueError(f"{key} {name!r} is defined twice")
            merged[name] = value
    return merged


def _category(name: str, spec: dict[str, Any]) -> _Category:
    """A category of the patterns file; misspelt scopes or modifiers fail at start-up."""
    rules = tuple(
        _Rule(
            scope=rule.get("scope", "message"),
            groups=tuple(
                tuple(group) if isinstance(group, list) else (group,) for group in rule["all"]
            ),
        )
        for rule in spec["rules"]
    )
    modifiers = frozenset(spec.get("modifiers", MODIFIERS))
    scopes = {rule.scope for rule in rules}
    if (
        not modifiers <= set(MODIFIERS)
        or not scopes <= set(SCOPES)
        or spec["kind"] not in EMERGENCY_KINDS
    ):
        raise ValueError(
            f"{name}: use kinds {EMERGENCY_KINDS}, modifiers {MODIFIERS}, scopes {SCOPES}"
        )
    return _Category(name, spec["kind"], modifiers, rules)


def _requirements(
    pattern: list[dict[str, Any]],
) -> tuple[list[frozenset[str]], list[re.Pattern[str]]]:
    """What a compiled pattern cannot match without: the keywords of each such token, one set
    a token, and the regular expressions such tokens must match."""
    required = [token for token in pattern if token.get("OP", "1") in ("1", "+")]
    keywords = [
        frozenset(norm["IN"]) if isinstance(norm, dict) else frozenset([norm])
        for token in required
        if (norm := token.get("NORM")) is not None and (isinstance(norm, str) or "IN" in norm)
    ]
    regexes = [
        re.compile(text["REGEX"])
        for token in required
        if isinstance(text := token.get("TEXT"), dict) and "REGEX" in text
    ]
    return keywords, regexes


def _sentence_and_clause_ids(doc: Doc, clause_breaks: set[str]) -> tuple[list[int], list[int]]:
    """Number each token's sentence and clause; a break token closes its own sentence/clause.

    A fragment of at most three words continues the sentence before it, as in notes typed in
    haste: "legs numb. both. suddenly." is one sentence.
    """
    sentences: list[int] = []
    clauses: list[int] = []
    sentence = clause = words = start = 0
    for position, token in enumerate(doc):
        sentences.append(sentence)
        clauses.append(clause)
        if set(token.text) <= SENTENCE_END_CHARACTERS or "\n" in token.text:
            if sentence and words <= FRAGMENT_WORDS:
                sentences[start:] = [sentence - 1] * (position + 1 - start)
            else:
                sentence += 1
            start, words = position + 1, 0
            clause += 1
        else:
            words += not (token.is_punct or token.is_space)
            if token.lower_ in clause_breaks:
                clause += 1
    if sentence and words <= FRAGMENT_WORDS:
        sentences[start:] = [sentence - 1] * (len(doc) - start)
    return sentences, clauses


def _asked(doc: Doc, end: int) -> bool:
    """A cue that ends in a question mark is asked, not said: "it comes out. is normal?"."""
    return end < len(doc) and "?" in doc[end].text


def _cue_before(cues: list[tuple[int, int]], start: int, clauses: list[int]) -> bool:
    """A cue ("if I get", "what if") starting earlier in the clause of the token at `start`."""
    return any(cue < start and clauses[cue] == clauses[start] for cue, _ in cues)


def _cue_after_in_sentence(cues: list[tuple[int, int]], end: int, sentences: list[int]) -> bool:
    """A cue ("it has cleared up", "the nurse said it was normal") later in the sign's sentence."""
    return any(cue >= end and sentences[cue] == sentences[end - 1] for cue, _ in cues)


def _laughter_clauses(cues: list[tuple[int, int]], doc: Doc, clauses: list[int]) -> set[int]:
    """The clauses a laughter marker makes a joke of: its own; the one before when the marker
    stands alone after it ("i can't breathe!! 😂"); the one after a comma ("crying laughing,
    couldn't breathe"). A symptom after "but", "and" or a full stop still counts.
    """
    marked = {i for start, end in cues for i in range(start, end)}
    words = [
        i
        for i, token in enumerate(doc)
        if i not in marked and not (token.is_punct or token.is_space)
    ]
    joking = set()
    for start, _ in cues:
        clause = clauses[start]
        joking.add(clause)
        if not any(clauses[i] == clause for i in words):
            earlier = [i for i in words if i < start]
            if earlier:
                joking.add(clauses[earlier[-1]])
        closing = max(i for i in range(len(doc)) if clauses[i] == clause)
        if doc[closing].text == ",":
            joking.add(clause + 1)
    return joking


def _baseline_clauses(
    cues: list[tuple[int, int]],
    changes: list[tuple[int, int]],
    sign_starts: list[int],
    sentences: list[int],
    clauses: list[int],
) -> set[int]:
    """The clauses a baseline cue says are long-standing and unchanged: its own ("my legs have
    been numb for years", "I've always had a temperature in the evenings"), and the earlier
    clauses of its sentence when it names no symptom of its own ("I get breathless on hills,
    but I always have"). A change in the sentence ("new", "suddenly", "worse", "since the op")
    undoes it, unless the change is part of the cue ("nothing new", "no worse").
    """
    changed = {sentences[start] for start, _ in changes if not _within(cues, start)}
    steady = set()
    for start, _ in cues:
        if sentences[start] in changed:
            continue
        clause = clauses[start]
        steady.add(clause)
        if not any(clauses[sign] == clause for sign in sign_starts):
            steady.update(
                clauses[i]
                for i in range(start)
                if sentences[i] == sentences[start] and clauses[i] < clause
            )
    return steady


def _within(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether a token lies inside one of the spans ("slipped" inside "slipped disc")."""
    return any(start <= position < end for start, end in spans)


def _cue_in_clause(cues: list[tuple[int, int]], start: int, clauses: list[int]) -> bool:
    """A cue ("years ago") anywhere in the clause of the token at `start`."""
    return any(clauses[cue] == clauses[start] for cue, _ in cues)


def _first_rule_span(
    category: _Category, signs: dict[str, list[_SignMatch]]
) -> tuple[int, int] | None:
    """The token span that satisfies one of the category's rules, or None."""
    for rule in category.rules:
        valid = [
            [
                m
                for sign in group
                for m in signs.get(sign, [])
                if not m.modifiers & category.modifiers
            ]
            for group in rule.groups
        ]
        if rule.scope == "sentence":
            candidates = {m.sentence for m in valid[0]} if valid else set()
            scopes = [
                [[m for m in g if m.sentence == s] for g in valid] for s in sorted(candidates)
            ]
        else:
            scopes = [valid]
        for groups in scopes:
            if all(groups):
                chosen = [min(group, key=lambda m: m.start) for group in groups]
                return min(m.start for m in chosen), max(m.end for m in chosen)
    return None
