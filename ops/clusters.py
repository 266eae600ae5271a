"""Groups similar questions, so that an operator reads twenty groups, not a thousand lines."""

from collections import Counter
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer

# Cosine similarity of character 3-5-grams above which two questions share a group; chosen on
# paraphrases such as "cost of surgery" / "how much does the surgery cost" (tests/test_ops.py).
SIMILARITY = 0.35
# Only the most frequent distinct questions are grouped; the rest make one last group.
MAX_DISTINCT = 5000
MAX_EXAMPLES = 5


@dataclass
class Group:
    count: int
    examples: list[str]


def group_similar(texts: Counter[str], similarity: float = SIMILARITY) -> list[Group]:
    """Groups of similar texts, largest first, each with its count and up to five examples.

    Single pass: the most frequent texts come first and each one joins the group whose first
    text it most resembles, or starts a group of its own.
    """
    ranked = [text for text, _ in texts.most_common()]
    distinct, rest = ranked[:MAX_DISTINCT], ranked[MAX_DISTINCT:]
    if not distinct:
        return []
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True).fit_transform(
        distinct
    )
    leaders: list[int] = []
    members: list[list[int]] = []
    for index in range(len(distinct)):
        best = -1
        if leaders:
            scores = (vectors[leaders] @ vectors[index].T).toarray().ravel()
            best = int(scores.argmax()) if scores.max() >= similarity else -1
        if best < 0:
            leaders.append(index)
            members.append([index])
        else:
            members[best].append(index)
    groups = [
        Group(
            count=sum(texts[distinct[i]] for i in indices),
            examples=[distinct[i] for i in indices[:MAX_EXAMPLES]],
        )
        for indices in members
    ]
    groups.sort(key=lambda group: -group.count)
    if rest:
        groups.append(Group(count=sum(texts[t] for t in rest), examples=rest[:MAX_EXAMPLES]))
    return groups
