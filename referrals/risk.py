"""The DASH risk checklist: which version applies to a victim, and its score (DOMAIN.md step 1)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from referrals.calendar import format_day, months_before
from referrals.errors import RuleInputError, raise_if_any

ADULT_AGE = 18
MARAC_MINIMUM_AGE = 16


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_KNOWN = "not_known"


ANSWER_WORDS = {Answer.YES: "yes", Answer.NO: "no", Answer.NOT_KNOWN: "not known"}


@dataclass(frozen=True)
class ChecklistVersion:
    code: str
    title: str
    question_count: int


# BD DASH RIC; DOMAIN.md step 1: "DASH RIC (24 questions, answers yes / no / not known, with comments)".
DASH_RIC = ChecklistVersion("dash_ric", "DASH risk indicator checklist", 24)
# LSCB measures: "Number of agencies using the Young People's DASH Risk Assessment Checklist". The seeds do not give its
# length; it is taken to keep the adult checklist's 24 questions, so one score scale serves both.
YOUNG_PEOPLES_DASH = ChecklistVersion("young_peoples_dash", "Young People's DASH risk checklist", 24)
CHECKLISTS = {version.code: version for version in (DASH_RIC, YOUNG_PEOPLES_DASH)}


@dataclass(frozen=True)
class ChecklistScore:
    version: ChecklistVersion
    score: int
    yes_questions: tuple[int, ...]
    not_known_questions: tuple[int, ...]


# DOMAIN.md step 1: "the score is the number of yes answers" (BD Referral Criteria: "the assessed level of risk
# (number of ticks)").
def score_checklist(answers: Mapping[int, str], version: ChecklistVersion = DASH_RIC) -> ChecklistScore:
    """Score a completed checklist: `answers` maps each question number (1 to N) to yes, no or not_known."""
    raise_if_any(_checklist_problems(answers, version))
    numbers = sorted(answers)
    return ChecklistScore(
        version=version,
        score=sum(1 for number in numbers if answers[number] == Answer.YES),
        yes_questions=tuple(number for number in numbers if answers[number] == Answer.YES),
        not_known_questions=tuple(number for number in numbers if answers[number] == Answer.NOT_KNOWN),
    )


def _checklist_problems(answers: Mapping[int, str], version: ChecklistVersion) -> list[str]:
    questions = range(1, version.question_count + 1)
    problems = []
    unanswered = [number for number in questions if number not in answers]
    if unanswered:
        problems.append(
            f"Every question on the {version.title} needs an answer (yes, no or not known); "
            f"{_numbers_words(unanswered)} {'has' if len(unanswered) == 1 else 'have'} none."
        )
    extra = sorted(number for number in answers if number not in questions)
    if extra:
        problems.append(
            f"The {version.title} has questions 1 to {version.question_count}; there is no {_numbers_words(extra)}."
        )
    allowed = ", ".join(repr(answer.value) for answer in Answer)
    problems += [
        f"Question {number}'s answer {value!r} is not one of {allowed}."
        for number, value in sorted(answers.items())
        if number in questions and value not in set(Answer)
    ]
    return problems


def _numbers_words(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"question {numbers[0]}"
    return f"questions {', '.join(str(n) for n in numbers[:-1])} and {numbers[-1]}"


@dataclass(frozen=True)
class ChecklistChoice:
    """Which checklist applies to a victim, or None when MARAC cannot take the case, with the reason."""

    checklist: ChecklistVersion | None
    age: int
    reason: str

    @property
    def accepted(self) -> bool:
        return self.checklist is not None


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years; someone born on 29 February turns a year older on 1 March in other years."""
    if date_of_birth > day:
        raise RuleInputError([f"The date of birth {format_day(date_of_birth)} is after {format_day(day)}."])
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


# BED 1 and CAM 4.3: domestic abuse is between "those aged 16 or over", and "16 and 17 year olds in abusive
# relationships" can be referred to MARAC; LSCB: the Young People's DASH for them. Under 16 is child protection.
def checklist_for_victim(date_of_birth: date, referral_date: date) -> ChecklistChoice:
    age = age_on(date_of_birth, referral_date)
    if age < MARAC_MINIMUM_AGE:
        return ChecklistChoice(
            None,
            age,
            f"The victim is {age}. MARAC takes victims aged 16 and over: for a child under 16, follow your child "
            "safeguarding procedures and refer to children's social care now.",
        )
    if age < ADULT_AGE:
        return ChecklistChoice(
            YOUNG_PEOPLES_DASH,
            age,
            f"The victim is {age}: use the {YOUNG_PEOPLES_DASH.title}. Children's social care still has a "
            "safeguarding duty to a 16 or 17 year old under the Children Act 1989.",
        )
    return ChecklistChoice(DASH_RIC, age, f"The victim is {age}: use the {DASH_RIC.title}.")


# --- Question 9: pregnant, or a baby in the last 18 months ---------------------------------------------------------

BABY_QUESTION = 9
BABY_MONTHS = 18
BABY_PROMPT = (
    "Question 9 of the risk checklist was answered yes (pregnant, or had a baby in the last 18 months), but no child "
    "under 18 months is listed and the victim's pregnancy is not recorded. Add the child or record the pregnancy if "
    "you can; you can still submit the referral without them."
)


# DASH Q9 (the seeds quote no wording; instruments.py's paraphrase): "pregnant, or had a baby in the last 18 months?"
def baby_question_prompt(
    *, baby_answer: str | None, victim_pregnant: str | None, children_born: Iterable[date | None], referral_date: date
) -> str | None:
    """A prompt, never a block, when question 9 is yes but the referral shows neither the baby nor the pregnancy:
    the child or pregnancy decides the agenda order and the children's services notification (BD), and the
    referrer may not know the child's details. children_born: each listed child's date of birth, None if unknown."""
    if baby_answer != Answer.YES or victim_pregnant == Answer.YES:
        return None
    earliest = months_before(referral_date, BABY_MONTHS)
    if any(born is not None and earliest <= born <= referral_date for born in children_born):
        return None
    return BABY_PROMPT
