"""Rasa's CountVectorsFeaturizer for classifiers that read only sentence features.

For each message Rasa's featurizer runs its vectorizer twice on the text: once per token for
sequence features, once on the whole text for sentence features. The blended classifier reads
only the sentence features, so for the featurizers only it reads, the per-token pass is work
thrown away on every message.
"""

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from scipy.sparse import spmatrix


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """The same vocabulary and sentence features as Rasa's, without sequence features of text."""

    def _create_features(
        self, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[spmatrix | None], list[spmatrix | None]]:
        if attribute not in DENSE_FEATURIZABLE_ATTRIBUTES or not self.vectorizers.get(attribute):
            return super()._create_features(attribute, all_tokens)
        return [None] * len(all_tokens), [
            self._sentence_features(attribute, tokens) if tokens else None for tokens in all_tokens
        ]

    def _sentence_features(self, attribute: str, tokens: list[str]) -> spmatrix:
        """The whole text's counts, exactly as Rasa's featurizer computes them."""
        vector = self.vectorizers[attribute].transform([" ".join(tokens)])
        vector.sort_indices()
        return vector.tocoo()
