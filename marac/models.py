"""A MARAC area, the unit everything belongs to, with its per-MARAC rule settings and its agencies."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from marac.reference_prefixes import PREFIX_MAX_LENGTH, prefix_problem


class MeetingFrequency(models.TextChoices):
    THREE_WEEKLY = "three_weekly", "Every three weeks"
    MONTHLY = "monthly", "Monthly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    CUSTOM = "custom", "Custom dates"


class BankHolidayRegion(models.TextChoices):
    ENGLAND = "ENG", "England"
    WALES = "WLS", "Wales"
    SCOTLAND = "SCT", "Scotland"
    NORTHERN_IRELAND = "NIR", "Northern Ireland"


class AutomaticCriterion(models.TextChoices):
    # BD Referral Criteria: so-called honour-based violence, FGM and forced marriage go to MARAC automatically.
    HONOUR_BASED_ABUSE = "honour_based_abuse", "So-called honour-based abuse"
    FGM = "fgm", "Female genital mutilation"
    FORCED_MARRIAGE = "forced_marriage", "Forced marriage"


class EscalationEvent(models.TextChoices):
    INCIDENT = "incident", "Incidents"
    POLICE_CALL_OUT = "police_call_out", "Police call-outs"
    SOCIAL_CARE_REFERRAL = "social_care_referral", "Social care referrals"


class RepeatDefinition(models.TextChoices):
    # BD Repeat Referrals: a further incident that would be a crime.
    TOOLKIT = "toolkit", "Toolkit: a further incident that would be a crime"
    # SafeLives' current definition: any further abuse between the same victim and perpetrator.
    SAFELIVES = "safelives", "SafeLives: any further abuse between the same victim and perpetrator"


def validate_reference_prefix(value: str) -> None:
    problem = prefix_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_prefix")


# The working days a MARAC can meet on, as meeting_weekday stores them (Python's weekday numbers).
MEETING_WEEKDAYS = ((0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"))


def _labels(values: list[str], choices: type[models.TextChoices]) -> list[str]:
    """The labels of stored codes, in the order chosen; a code no longer offered is shown as it is."""
    labels = dict(choices.choices)
    return [str(labels.get(value, value)) for value in values]


class Marac(models.Model):
    name = models.CharField(max_length=120, unique=True)
    local_authorities = models.JSONField(default=list, help_text="Names of the local authority areas covered.")
    police_force = models.CharField(max_length=120)
    # MARACs of one region may learn that a possible match exists at another (issue 7), and are reported together.
    region = models.CharField(max_length=60, blank=True, help_text='For example "North East".')
    meeting_frequency = models.CharField(max_length=20, choices=MeetingFrequency, default=MeetingFrequency.MONTHLY)
    meeting_weekday = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(4)])
    meeting_start_time = models.TimeField(default="09:30")
    bank_holiday_region = models.CharField(max_length=3, choices=BankHolidayRegion, default=BankHolidayRegion.ENGLAND)
    # DOMAIN.md "Where local practice differs": each of these is per MARAC.
    dash_threshold = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    idva_threshold = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    escalation_count = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    escalation_window_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    escalation_events = models.JSONField(default=list)
    # BD and BED take "escalation in frequency or severity" described by the referrer; CAM counts events only.
    escalation_in_frequency_or_severity = models.BooleanField(default=True)
    automatic_criteria = models.JSONField(default=list)
    minutes_per_case = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    minutes_per_information_case = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    repeat_definition = models.CharField(max_length=20, choices=RepeatDefinition, default=RepeatDefinition.SAFELIVES)
    # Retention (the ISA and DPA 2018): cases whose last hearing is older than this are deleted or anonymised.
    retention_years = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    retention_action = models.CharField(
        max_length=20,
        choices=[("anonymise", "Anonymise the people, keep the counts"), ("delete", "Delete the case")],
        default="anonymise",
    )
    # The start of its case references (NB in NB-2026-0042). Empty until chosen or until the first case takes the
    # prefix the MARAC's cases already use (referrals/references.py); changing it changes only new references.
    reference_prefix = models.CharField(
        max_length=PREFIX_MAX_LENGTH,
        unique=True,
        null=True,
        blank=True,
        default=None,
        validators=[validate_reference_prefix],
    )
    # Optimistic locking: a form posts the version it was based on, so two edits never overwrite each other.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = "MARAC"

    def __str__(self) -> str:
        return self.name

    @property
    def meeting_weekday_name(self) -> str:
        return dict(MEETING_WEEKDAYS).get(self.meeting_weekday, "")

    @property
    def escalation_event_labels(self) -> list[str]:
        return _labels(self.escalation_events, EscalationEvent)

    @property
    def automatic_criterion_labels(self) -> list[str]:
        return _labels(self.automatic_criteria, AutomaticCriterion)


class ClosureDay(models.Model):
    """A local closure day on top of the bank holidays, when deadlines do not run."""

    marac = models.ForeignKey(Marac, on_delete=models.CASCADE, related_name="closure_days")
    day = models.DateField()
    reason = models.CharField(max_length=120)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["marac", "day"], name="one_closure_a_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.reason}"


class PopulationFigure(models.Model):
    """Reference population of a local authority for a year, the denominator of the per-10,000 indicators."""

    marac = models.ForeignKey(Marac, on_delete=models.CASCADE, related_name="population_figures")
    local_authority = models.CharField(max_length=120)
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    adult_female_population = models.PositiveIntegerField()

    class Meta:
        ordering = ["-year", "local_authority"]
        constraints = [models.UniqueConstraint(fields=["marac", "local_authority", "year"], name="one_figure_a_year")]

    def __str__(self) -> str:
        return f"{self.local_authority} {self.year}"


class PopulationDimension(models.TextChoices):
    ETHNICITY = "ethnicity", "Ethnic group"
    AGE_BAND = "age_band", "Age band"


class AgeBand(models.TextChoices):
    # Women's age bands for the diversity comparison: 16-17 is the youngest a MARAC hears as an adult victim.
    AGED_16_17 = "16_17", "16 to 17"
    AGED_18_24 = "18_24", "18 to 24"
    AGED_25_34 = "25_34", "25 to 34"
    AGED_35_44 = "35_44", "35 to 44"
    AGED_45_54 = "45_54", "45 to 54"
    AGED_55_PLUS = "55_plus", "55 and over"


class PopulationBreakdown(models.Model):
    """The make-up of a population figure's adult women, by ethnic group (people.models.Ethnicity, without
    "not known") or by age band: the reference for "referrals reflect the diversity of the local population"."""

    figure = models.ForeignKey(PopulationFigure, on_delete=models.CASCADE, related_name="breakdowns")
    dimension = models.CharField(max_length=20, choices=PopulationDimension)
    category = models.CharField(max_length=20)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["dimension", "category"]
        constraints = [
            models.UniqueConstraint(fields=["figure", "dimension", "category"], name="one_count_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.figure}: {self.dimension} {self.category}"


class AgencyType(models.TextChoices):
    POLICE = "police", "Police"
    IDVA_SERVICE = "idva_service", "IDVA service"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PRIMARY_HEALTH = "primary_health", "Primary health"
    SECONDARY_HEALTH = "secondary_health", "Secondary health and maternity"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    EDUCATION = "education", "Education"
    EARLY_YEARS = "early_years", "Early years"
    YOUTH_OFFENDING = "youth_offending", "Youth offending"
    SPECIALIST = "specialist", "Specialist domestic abuse service or refuge"
    OTHER = "other", "Other"


class Agency(models.Model):
    # Not unique across MARACs: a MARAC told that a name is taken would learn another MARAC's agencies. Unique among
    # the agencies one MARAC can see instead (marac.services.agency_name_problem).
    name = models.CharField(max_length=160)
    agency_type = models.CharField(max_length=30, choices=AgencyType)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class MaracAgency(models.Model):
    """An agency's part in one MARAC: core or supporting, with its named representative and deputies."""

    marac = models.ForeignKey(Marac, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    is_core = models.BooleanField(default=False)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deputies = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # Optimistic locking: the membership form posts the version it was based on (marac.services).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["marac", "agency"], name="agency_once_per_marac")]

    def __str__(self) -> str:
        return f"{self.agency} at {self.marac}"
