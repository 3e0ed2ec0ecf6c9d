"""A MARAC case: one referral of a victim to one MARAC, through to its hearing."""

from django.conf import settings
from django.db import models


class CaseStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    LISTED = "listed", "Listed"
    HEARD = "heard", "Heard"
    CLOSED = "closed", "Closed"
    TRANSFERRED = "transferred", "Transferred to another MARAC"


class PartyRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    PERPETRATOR = "perpetrator", "Perpetrator"
    CHILD = "child", "Child"
    HOUSEHOLD_MEMBER = "household_member", "Other household member"


class Case(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=30, unique=True)
    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases_as_victim")
    status = models.CharField(max_length=20, choices=CaseStatus, default=CaseStatus.REFERRED)
    referred_on = models.DateField()
    referring_agency = models.ForeignKey("marac.Agency", on_delete=models.PROTECT, related_name="referrals_made")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals_made"
    )
    heard_on = models.DateField(null=True, blank=True)
    information_only = models.BooleanField(default=False)
    is_repeat = models.BooleanField(default=False)
    # Yes, no, or None where the referral said "not known": never turned into "no".
    victim_pregnant = models.BooleanField(null=True, default=False)
    dash_score = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Restricted (for example when the victim or perpetrator works for a partner agency): only the named
    # users in CaseRestriction see it; everyone else gets 404; each access asks for and records a reason.
    restricted = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-referred_on", "reference"]
        indexes = [
            models.Index(fields=["marac", "referred_on"]),
            models.Index(fields=["marac", "heard_on"]),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseParty(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_parties")
    role = models.CharField(max_length=20, choices=PartyRole)

    class Meta:
        verbose_name_plural = "case parties"
        constraints = [models.UniqueConstraint(fields=["case", "person", "role"], name="party_once_per_case")]

    def __str__(self) -> str:
        return f"{self.role} in case {self.case_id}"

    @property
    def marac_id(self) -> int:
        return self.case.marac_id


class CaseRestriction(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="restrictions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="restriction_once_per_user")]

    def __str__(self) -> str:
        return f"User {self.user_id} may see restricted case {self.case_id}"


class LegalHoldReason(models.TextChoices):
    DOMESTIC_HOMICIDE_REVIEW = "dhr", "Domestic homicide review"
    COURT_PROCEEDINGS = "court", "Court proceedings"
    OTHER = "other", "Other"


class LegalHold(models.Model):
    """While a hold is in place the case is kept whatever the retention policy says."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(max_length=20, choices=LegalHoldReason)
    note = models.CharField(max_length=500, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Legal hold {self.pk} on case {self.case_id}"

    @property
    def marac_id(self) -> int:
        return self.case.marac_id
