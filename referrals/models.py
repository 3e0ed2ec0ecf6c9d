"""A referral to a MARAC, from its first draft to the coordinator's decision, and the risk instruments."""

from django.conf import settings
from django.db import models

from people.encryption import EncryptedJSONField


class RiskInstrument(models.Model):
    """A version of a risk checklist, held as data. OpenMARAC ships its own plain paraphrase; a MARAC that
    holds a licence for the official wording loads it as a new version. Each referral keeps the version it
    was answered on."""

    code = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    wording_note = models.CharField(max_length=300)
    questions = models.JSONField()
    is_current = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="one_instrument_version")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def question_count(self) -> int:
        return len(self.questions)


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned as incomplete"
    ACCEPTED = "accepted", "Accepted"
    TRANSFERRED = "transferred", "Transferred to another MARAC"


class Consent(models.TextChoices):
    # The consent section's answers, copied out of the encrypted content so the boards' measures can count them.
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    NOT_ASKED_UNSAFE = "not_asked_unsafe", "Not asked, because it was not safe to ask"


class Referral(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals")
    referring_agency = models.ForeignKey("marac.Agency", on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=20, choices=ReferralStatus, default=ReferralStatus.DRAFT)
    # Everything the referrer typed, section by section, exactly as typed: a draft is never lost,
    # whether or not it is valid yet. Validation happens on each save and again on submission.
    # Encrypted (it holds the victim's address and safe contact details): read whole, never queried into.
    content = EncryptedJSONField(default=dict, blank=True)
    instrument = models.ForeignKey(RiskInstrument, null=True, blank=True, on_delete=models.PROTECT)
    criteria_result = models.JSONField(default=dict, blank=True)
    # Set on submission from the consent section; blank for referrals submitted before these were kept.
    information_sharing_consent = models.CharField(max_length=20, choices=Consent, blank=True)
    idva_referral_consent = models.CharField(max_length=20, choices=Consent, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reasons = models.TextField(blank=True)
    case = models.OneToOneField("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="referral")
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    listing_explanation = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["marac", "status"])]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    @property
    def referred_by_id(self) -> int:
        """For the permission rules: a referrer may see the referrals they made."""
        return self.referrer_id

    @property
    def urgency_reason(self) -> str:
        """Why the referrer marked it urgent (it cannot wait for the next meeting), or "" when they did not."""
        from referrals.sections import urgency_reason  # here, not at the top: the models stay free of the forms

        return urgency_reason(self.content.get("criteria"))


class MatchDecision(models.Model):
    """The coordinator's answer to "is this person on the referral someone we already hold?"."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", "Same person"
        REJECTED = "rejected", "Not the same person"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="match_decisions")
    # Which person on the referral: "victim", "perpetrators.0", "children.1".
    party = models.CharField(max_length=40)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)
    # Who the person on the referral was when decided (referrals.decisions.party_fingerprint): a keyed digest of their
    # name and date of birth, never the details. The decision stands only for that person. Empty on decisions made
    # before it was kept, which stand only if made since the referral was last submitted.
    party_fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "party", "person"], name="one_decision_per_candidate")
        ]

    def __str__(self) -> str:
        return f"{self.party} of referral {self.referral_id}: {self.decision}"

    @property
    def marac_id(self) -> int:
        return self.referral.marac_id


class IdvaAllocation(models.Model):
    """BD IDSVA: a named IDVA allocated within 48 hours of the referral; the clock shows on the case."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="idva_allocation")
    due_by = models.DateTimeField()
    idva = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="idva_allocations"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    declined_by_victim = models.BooleanField(default=False)
    declined_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"IDVA allocation for case {self.case_id}"

    @property
    def marac_id(self) -> int:
        return self.case.marac_id

    @property
    def feedback_from(self) -> str:
        """BD Action planning: the IDVA feeds back to the victim, or the referrer where the IDVA was declined."""
        return "referrer" if self.declined_by_victim else "IDVA"


class ContactAttempt(models.Model):
    allocation = models.ForeignKey(IdvaAllocation, on_delete=models.CASCADE, related_name="contact_attempts")
    attempted_at = models.DateTimeField()
    method = models.CharField(
        max_length=20,
        choices=[("phone", "Phone"), ("text", "Text message"), ("in_person", "In person"), ("other", "Other")],
    )
    succeeded = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["attempted_at"]

    def __str__(self) -> str:
        return f"Contact attempt {self.pk}"


class ChildrenNotification(models.Model):
    """BED 4: where there are children or the victim is pregnant, children's social care (MASH or HUB) is told;
    the HUB records the contact, and it is chased if unconfirmed after 2 working days."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="children_notification")
    sent_at = models.DateTimeField()
    chase_due_on = models.DateField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Children's services notification for case {self.case_id}"

    @property
    def marac_id(self) -> int:
        return self.case.marac_id


class Transfer(models.Model):
    """BD Referrals to other MARACs, Jurisdiction: the MARAC where the victim normally lives leads; a permanent
    move gives a MARAC-to-MARAC referral. The sending MARAC keeps its record; the receiving one sees only what
    the transfer carries (its own new referral). A receiving MARAC that does not use this installation is recorded
    by its name alone: no referral is created for it, and the coordinator sends the referral on by its usual route."""

    from_referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="transfer_out")
    to_marac = models.ForeignKey(
        "marac.Marac", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_in"
    )
    # A MARAC's name (never a person's), when it is not in this installation and to_marac is empty.
    to_marac_name = models.CharField(max_length=120, blank=True)
    to_referral = models.OneToOneField(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="transfer_in"
    )
    reason = models.CharField(max_length=500)
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    transferred_at = models.DateTimeField(auto_now_add=True)
    # For a case sent on after it was heard: what the sending MARAC held of it at the moment it was sent (its
    # hearings, minutes, actions, IDVA service, risk scores and coordinator), as words, so the receiving MARAC sees
    # the risk picture the last MARAC agreed and nothing that changes there later (referrals.case_transfers).
    # Encrypted: the minutes name people. Empty for a referral transferred before it became a case.
    sender_summary = EncryptedJSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(to_marac__isnull=False, to_marac_name="")
                    | (models.Q(to_marac__isnull=True, to_referral__isnull=True) & ~models.Q(to_marac_name=""))
                ),
                name="transfer_to_one_marac",
            )
        ]

    def __str__(self) -> str:
        return f"Transfer of referral {self.from_referral_id}"

    @property
    def to_marac_label(self) -> str:
        """The receiving MARAC's name, whether or not it uses this installation."""
        return self.to_marac.name if self.to_marac is not None else self.to_marac_name

    @property
    def is_outside(self) -> bool:
        return self.to_marac_id is None
