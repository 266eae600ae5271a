"""`rasa data validate` finds nothing wrong with the training data and the domain."""

import re
import subprocess

from core.emergency import INTENT_FOR_KIND
from core.feedback import FEEDBACK_INTENT
from core.paths import PROJECT_ROOT
from extensions.nlu.other_language import OTHER_LANGUAGE_INTENT

RASA = PROJECT_ROOT / ".venv" / "bin" / "rasa"
UNUSED_RESPONSE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
# The red-flag detector sets these intents and RedFlagPolicy answers them: no classifier
# learns them and no rule names them (docs/safety.md). The other-language detector
# sets its intent the same way; a rule answers it. Feedback comes only from button payloads.
INTENTS_SET_BY_CODE = {*INTENT_FOR_KIND.values(), OTHER_LANGUAGE_INTENT, FEEDBACK_INTENT}
INTENT_BY_CODE = re.compile(
    r"The intent '(\w+)' (is listed in the domain file, but is not found in the NLU training "
    r"data|is not used in any story or rule)"
)


def responses_dispatched_by_code() -> set:
    """Responses that actions or server extensions utter by name, unseen by Rasa's validator."""
    sources = [
        *(PROJECT_ROOT / "actions").glob("*.py"),
        *(PROJECT_ROOT / "core").glob("*.py"),
        *(PROJECT_ROOT / "extensions").rglob("*.py"),
    ]
    return set(re.findall(r'"(utter_\w+)"', "".join(path.read_text() for path in sources)))


def test_data_validates_with_no_warning_but_the_responses_code_dispatches() -> None:
    result = subprocess.run(
        [str(RASA), "data", "validate"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    unexplained = [
        line
        for line in warnings
        if not (
            (match := UNUSED_RESPONSE.search(line))
            and match.group(1) in responses_dispatched_by_code()
        )
        and not ((match := INTENT_BY_CODE.search(line)) and match.group(1) in INTENTS_SET_BY_CODE)
    ]
    assert unexplained == []
