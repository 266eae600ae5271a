"""The key under which SeveralQuestionsClassifier leaves a message's questions in the parse
data, each with its intent, in the order asked; the answer action reads them.
"""

QUESTIONS_KEY = "questions"
