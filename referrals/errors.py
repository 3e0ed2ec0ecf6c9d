"""The one error the referral rules raise: facts they cannot decide on, each problem in plain words."""

from collections.abc import Sequence


class RuleInputError(ValueError):
    """Raised when the facts given to a rule are wrong (not when the decision is "no").

    Every rule checks all its inputs first and reports every problem at once, so a form can show them together.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(" ".join(self.problems))


def raise_if_any(problems: Sequence[str]) -> None:
    if problems:
        raise RuleInputError(problems)
