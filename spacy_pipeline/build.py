"""Build the spaCy pipeline Rasa loads by path: blank English, lookup lemmas, our entity ruler."""

import argparse
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler

PATTERNS_PATH = Path(__file__).with_name("entity_patterns.jsonl")
DEFAULT_OUTPUT = Path(".spacy/en_spine_fusion")
# Labels no answer reads. Each names a phrase whose words look like an entity the answers act
# on but isn't one: "anterior cervical discectomy and fusion" is a spinal fusion, not another
# operation; "jog my memory", "work out which", "pain running down my leg", "eat my tea" use
# an activity's or a detail's word in another sense; "five times a day" says how often and
# "a 55 year old" how old, not how long. The ruler keeps the longest of overlapping matches,
# so such a phrase hides the shorter match inside it ("discectomy", "jog", "a day");
# SpacyEntityExtractor's `dimensions` in config.yml leave these labels out, so the message has
# no entity there at all.
HIDING_LABELS = frozenset({"spinal_fusion", "other_sense", "frequency", "age"})


def build_pipeline(patterns_path: Path = PATTERNS_PATH) -> Language:
    """Assemble the pipeline; the lemma tables are copied in from spacy-lookups-data."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = cast(EntityRuler, nlp.add_pipe("entity_ruler", config={"validate": True}))
    nlp.initialize()
    ruler.from_disk(patterns_path)
    nlp.meta["name"] = "spine_fusion"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = (
        "Blank English with lookup lemmatizer and the assistant's entity patterns."
    )
    return nlp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    build_pipeline().to_disk(args.output)
    print(f"spaCy pipeline written to {args.output}")


if __name__ == "__main__":
    main()
