"""NLU components that config.yml's pipeline names.

Two of them override a private method that Rasa calls by name, which a Rasa that renamed it would
silently stop calling: any import of these components fails first, naming the method.
"""

from extensions.private_members import require

require(
    (
        # BlendedIntentClassifier's features (blended_intent_classifier.py).
        "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier"
        "._create_X",
        # SentenceCountVectorsFeaturizer's sentence features only (sentence_count_vectors.py).
        "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer"
        "._create_features",
    ),
    "extensions/nlu/ (blended_intent_classifier.py, sentence_count_vectors.py)",
)
