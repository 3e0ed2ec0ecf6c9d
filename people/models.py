"""A person in a case: victim, perpetrator, child or other household member, held at one MARAC."""

from typing import Any

from django.conf import settings
from django.db import models

from people.encryption import EncryptedJSONField, EncryptedTextField


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    # The 2021 census high-level groups used in England and Wales.
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = "not_known", "Not known"


class Sexuality(models.TextChoices):
    HETEROSEXUAL = "heterosexual", "Heterosexual or straight"
    GAY_OR_LESBIAN = "gay_or_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Other sexual orientation"
    NOT_KNOWN = "not_known", "Not known"


def person_name(given_name: str, family_name: str, description: str) -> str:
    """How a person is named on a page: their names, else the description recorded instead."""
    return f"{given_name} {family_name}".strip() or description


class Person(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    description = models.CharField(
        max_length=300, blank=True, help_text="For someone whose name is not known, how they are known."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender, default=Gender.NOT_KNOWN)
    is_transgender = models.BooleanField(null=True, blank=True)
    ethnicity = models.CharField(max_length=20, choices=Ethnicity, default=Ethnicity.NOT_KNOWN)
    sexuality = models.CharField(max_length=20, choices=Sexuality, default=Sexuality.NOT_KNOWN)
    has_disability = models.BooleanField(null=True, blank=True)
    disability_details = models.CharField(max_length=300, blank=True)
    first_language = models.CharField(max_length=60, blank=True)
    needs_interpreter = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["marac", "family_name", "date_of_birth"]),
            # The reports' young-perpetrator counts look up each perpetrator's date of birth by id: with it in
            # the index they read the index alone (bench/reports, docs/performance.md "Reports at scale").
            models.Index(fields=["id"], include=["date_of_birth"], name="person_id_with_birth"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(given_name="", family_name="", description=""),
                name="person_has_name_or_description",
            )
        ]

    def __str__(self) -> str:
        # Used only inside pages a user may see; never in logs (see audit.logging).
        return person_name(self.given_name, self.family_name, self.description)


class Alias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "aliases"

    def __str__(self) -> str:
        return f"Alias {self.pk} of person {self.person_id}"


class Address(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    # The address itself is encrypted (see people.encryption): it can be read, never searched.
    line_1 = EncryptedTextField()
    line_2 = EncryptedTextField(blank=True)
    town = EncryptedTextField(blank=True)
    postcode = EncryptedTextField(blank=True)
    # The outward code ("NB1"), kept in clear for the boards' measures; set from the postcode on every save.
    postcode_district = models.CharField(max_length=4, blank=True, editable=False)
    lived_from = models.DateField(null=True, blank=True)
    lived_to = models.DateField(null=True, blank=True)
    # "Safe to post": letters may go to this address without putting the victim at risk.
    safe_to_post = models.BooleanField(default=False)
    # Confidential: for example a refuge or the place a victim has fled to; shown only to those who need it.
    confidential = models.BooleanField(default=False)

    class Meta:
        ordering = ["-lived_from"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        # Never the address itself: this may end up in a log line or an error.
        return f"Address {self.pk} of person {self.person_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.postcode_district = postcode_district_of(self.postcode)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "postcode" in update_fields:
            kwargs["update_fields"] = {*update_fields, "postcode_district"}
        super().save(*args, **kwargs)


def postcode_district_of(postcode: str) -> str:
    """The outward code, which the boards' measures use: "nb1 2xy", "NB12XY" and "NB1" all give "NB1"."""
    # The inward code is always a digit and two letters, so an unspaced full postcode splits 3 from the end.
    parts = postcode.upper().split()
    if len(parts) > 1:
        return parts[0][:4]
    compact = "".join(parts)
    return compact[:-3][:4] if len(compact) > 4 else compact


class MatchModel(models.Model):
    """A trained likely-same-person model (Splink) for one MARAC. Each training saves a new version; the newest is
    current. The model holds weights and settings only, no person's details."""

    marac = models.ForeignKey("marac.Marac", on_delete=models.CASCADE, related_name="match_models")
    version = models.PositiveIntegerField()
    trained_at = models.DateTimeField()
    # Empty when the scheduled task trained it.
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    record_count = models.PositiveIntegerField()
    seconds_taken = models.FloatField(default=0)
    model = models.JSONField()
    format_version = models.PositiveSmallIntegerField()
    splink_version = models.CharField(max_length=20)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["marac", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["marac", "version"], name="one_match_model_version_per_marac"),
            models.UniqueConstraint(
                fields=["marac"], condition=models.Q(is_current=True), name="one_current_match_model_per_marac"
            ),
        ]

    def __str__(self) -> str:
        return f"Matching model version {self.version} of MARAC {self.marac_id}"


class PersonLink(models.Model):
    """The coordinator's decision that two people held at a MARAC are, or are not, the same person. Confirmed links
    feed repeat detection and a perpetrator's links to other families; a rejected pair is never suggested again.
    The pair is stored lower id first, so each pair has one row."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", "Same person"
        REJECTED = "rejected", "Not the same person"

    marac = models.ForeignKey("marac.Marac", on_delete=models.CASCADE, related_name="person_links")
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision)
    # The model's probability when the coordinator decided; empty when decided on an exact match.
    probability = models.FloatField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_link_per_pair_of_people"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")), name="person_link_lower_id_first"
            ),
        ]

    def __str__(self) -> str:
        return f"People {self.person_a_id} and {self.person_b_id}: {self.decision}"


class PossibleDuplicate(models.Model):
    """Two people held at one MARAC whom a version of the model thinks are likely the same, found when it was
    trained, for the coordinator to confirm or reject. Lower id first."""

    match_model = models.ForeignKey(MatchModel, on_delete=models.CASCADE, related_name="duplicates")
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    # Which fields agreed or differed, in words. Encrypted: the words may quote the names compared.
    comparisons = EncryptedJSONField(default=list)

    class Meta:
        ordering = ["-probability"]
        constraints = [
            models.UniqueConstraint(fields=["match_model", "person_a", "person_b"], name="one_duplicate_per_pair")
        ]

    def __str__(self) -> str:
        return f"Possible duplicate {self.person_a_id} and {self.person_b_id}"


class ReferralSuggestions(models.Model):
    """The model's likely matches for the people on one referral, kept so that the decision page does not run the
    model on every view. Worked out again when the MARAC's model changes or new people are held in its region."""

    referral = models.OneToOneField("referrals.Referral", on_delete=models.CASCADE, related_name="suggestions")
    match_model = models.ForeignKey(MatchModel, on_delete=models.CASCADE, related_name="+")
    # The highest person id in the MARAC's region when worked out: a higher one since means new people to check.
    people_up_to = models.PositiveBigIntegerField()
    computed_at = models.DateTimeField()
    # {party key: [{"person": id, "probability": p, "comparisons": [{"field", "agreement", "words"}]}]}.
    by_party = EncryptedJSONField(default=dict)
    # {party key: [MARAC ids]}: other MARACs of the region holding a likely match. Ids only.
    elsewhere = models.JSONField(default=dict)

    class Meta:
        verbose_name_plural = "referral suggestions"

    def __str__(self) -> str:
        return f"Suggestions for referral {self.referral_id}"


class NationalPossibleMatch(models.Model):
    """From a national run (docs/national-linkage.md): one of this MARAC's people may also be held at another
    MARAC. Shown: only the other MARAC and the pair's reference (which both coordinators see and quote to each
    other), never anything about the other MARAC's person. One row per pair; the newest return loaded for a MARAC
    replaces the earlier ones."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="national_matches")
    other_marac = models.ForeignKey("marac.Marac", on_delete=models.CASCADE, related_name="+")
    run = models.CharField(max_length=32)
    pair_reference = models.CharField(max_length=32)
    probability = models.FloatField()
    loaded_at = models.DateTimeField()
    # The other MARAC's half of the pair, once both MARACs' returns of the run are loaded (they carry the same
    # reference). Never shown to anyone: kept so that "not the same person" can be remembered as the pair of people
    # even after one of the MARACs has loaded a later run.
    other_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A coordinator, here or at the other MARAC, found the pair not the same person (NationalRejection). The row is
    # kept, so that loading the same return again changes nothing, but it is no longer shown as a possible match.
    not_same_person = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "pair_reference"], name="one_national_match_per_pair")]

    def __str__(self) -> str:
        return f"Person {self.person_id}: possible match at MARAC {self.other_marac_id}"


class NationalRejection(models.Model):
    """A coordinator's decision, after speaking to the other MARAC's coordinator, that a national possible match is
    not the same person. Tokens and pair references are new in every run, so the decision is kept as the pair of
    people: this installation holds both MARACs, and both halves of a pair carry the same reference. Until the
    other MARAC's return of the run is loaded, the other person is not known yet; the run and the reference are
    kept, and the decision is completed when that return is loaded (people.national.load_return). A later run
    finding the same two people does not show them to either MARAC again. Deleting either person deletes it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="national_rejections")
    other_marac = models.ForeignKey("marac.Marac", on_delete=models.CASCADE, related_name="+")
    # Empty until the other MARAC's return of the run is loaded.
    other_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The run and the reference the coordinators quoted to each other when they decided.
    run = models.CharField(max_length=32)
    pair_reference = models.CharField(max_length=32)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "run", "pair_reference"], name="one_national_rejection_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("other_person")), name="national_rejection_of_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"National pair {self.pair_reference} of person {self.person_id}: not the same person"
