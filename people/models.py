"""A person in a case: victim, perpetrator, child or other household member, held at one MARAC."""

from django.db import models


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
        indexes = [models.Index(fields=["marac", "family_name", "date_of_birth"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(given_name="", family_name="", description=""),
                name="person_has_name_or_description",
            )
        ]

    def __str__(self) -> str:
        # Used only inside pages a user may see; never in logs (see audit.logging).
        name = f"{self.given_name} {self.family_name}".strip()
        return name or self.description


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
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
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

    @property
    def postcode_district(self) -> str:
        """The outward code (the part before the space), which the boards' measures use."""
        return self.postcode.split(" ")[0].upper() if self.postcode else ""
