"""Quality assurance rules, no ORM: what an action plan is judged against, the survey questions, drawing the sample,
and summarising ratings and scores. Counts and averages only: no comment ever reaches a summary."""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reports.suppression import count_text, is_small

# WM "What good looks like", the statements on action planning.
ACTION_PLAN_STATEMENTS: tuple[tuple[str, str], ...] = (
    ("clear_timed", "Actions are clear, timed and based on good quality assessment of risk and potential harm"),
    ("perpetrator", "Action plans routinely manage, disrupt or divert perpetrators' behaviour"),
    ("victim_needs", "Action plans reflect the needs of the victim and prioritise their safety"),
    ("safeguarding_links", "Action plans link to other multi-agency safeguarding arrangements for adults and children"),
    ("protected_characteristics", "The response includes the victim's characteristics and additional needs"),
)
STATEMENT_TEXT = dict(ACTION_PLAN_STATEMENTS)

# WM: feedback from MARAC members on their experience, and from victims who have been through MARAC. Each question
# restates a "what good looks like" statement; answers are 1 (strongly disagree) to 5 (strongly agree).
FEEDBACK_QUESTIONS: dict[str, tuple[str, str, str]] = {
    "agency_representative": (
        "All relevant, proportionate information and risks were succinctly shared at the meeting",
        "I was supported by my agency to research and prepare for MARAC",
        "The actions agreed were clear, timed and made victims safer",
    ),
    "victim": (
        "I was told about the referral to MARAC and to an IDVA",
        "My views and safety were represented at the meeting",
        "I was updated and supported after the meeting",
    ),
}
SCORE_RANGE = range(1, 6)


def sample_plans(plan_ids: Iterable[int], *, size: int, seed: int) -> list[int]:
    """A reproducible random sample: the same plans, seed and size always give the same sample, in id order."""
    population = sorted(set(plan_ids))
    chosen = random.Random(seed).sample(population, min(size, len(population)))  # noqa: S311 - sampling, not secrets
    return sorted(chosen)


@dataclass(frozen=True)
class StatementSummary:
    statement: str
    met: int
    partly: int
    not_met: int

    @property
    def scored(self) -> int:
        return self.met + self.partly + self.not_met

    @property
    def met_percent(self) -> float | None:
        return 100 * self.met / self.scored if self.scored else None


def summarise_ratings(ratings: Iterable[tuple[str, str]]) -> list[StatementSummary]:
    """(statement key, rating) pairs to a count of each rating per statement, in the statements' order."""
    counts = {key: {"met": 0, "partly": 0, "not_met": 0} for key, _ in ACTION_PLAN_STATEMENTS}
    for statement, rating in ratings:
        if statement in counts and rating in counts[statement]:
            counts[statement][rating] += 1
    return [
        StatementSummary(STATEMENT_TEXT[key], counts[key]["met"], counts[key]["partly"], counts[key]["not_met"])
        for key, _ in ACTION_PLAN_STATEMENTS
    ]


@dataclass(frozen=True)
class QuestionSummary:
    question: str
    answered: int
    average: float | None


def summarise_scores(respondent: str, responses: Sequence[Sequence[int | None]]) -> list[QuestionSummary]:
    """Each response's scores, in question order, to the number who answered each question and the average."""
    summaries = []
    for index, question in enumerate(FEEDBACK_QUESTIONS[respondent]):
        answers = [scores[index] for scores in responses if scores[index] is not None]
        average = sum(a for a in answers if a is not None) / len(answers) if answers else None
        summaries.append(QuestionSummary(question, len(answers), average))
    return summaries


def shown_count(count: int, *, suppress: bool, threshold: int) -> str:
    return count_text(count, threshold) if suppress else str(count)


def shown_average(average: float | None, answered: int, *, suppress: bool, threshold: int) -> str:
    """An average of a few people's answers could be traced to them: withheld, as a rate on a small count is."""
    if average is None:
        return "no data"
    if suppress and is_small(answered, threshold):
        return "suppressed"
    return f"{average:.1f}"


def shown_percent(percent: float | None, part: int, whole: int, *, suppress: bool, threshold: int) -> str:
    """A percentage built on a count from 1 to the threshold is withheld, its part as well as its whole, as on the
    dashboard (reports.report.cell_for): "8.3%" beside 12 plans reviewed is 1 plan."""
    if percent is None:
        return "no data"
    if suppress and (is_small(part, threshold) or is_small(whole, threshold)):
        return "suppressed"
    return f"{percent:.1f}%"
