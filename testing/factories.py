"""Factories for tests. Every person they make is obviously fictional."""

import datetime
from typing import Any

import factory
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import Role, RoleGrant, User
from cases.models import Case, CaseParty, PartyRole
from marac.models import Agency, AgencyType, Marac
from people.models import Address, Person

TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - a well-known example secret, for tests only


class MaracFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Marac

    name = factory.Sequence(lambda n: f"Testshire MARAC {n}")
    police_force = "Testshire Constabulary"
    local_authorities = factory.LazyAttribute(lambda marac: [f"{marac.name} Borough"])


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Testshire Agency {n}")
    agency_type = AgencyType.POLICE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.invalid")
    full_name = factory.Sequence(lambda n: f"Testing Person {n}")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def with_mfa(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            TOTP.activate(self, TEST_TOTP_SECRET)


def grant(user: User, marac: Marac, *roles: str) -> User:
    for role in roles:
        RoleGrant.objects.create(user=user, marac=marac, role=role)
    if hasattr(user, "_role_cache"):
        del user._role_cache
    return user


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    marac = factory.SubFactory(MaracFactory)
    given_name = factory.Sequence(lambda n: f"Fictional{n}")
    family_name = "Testperson"
    date_of_birth = datetime.date(1990, 5, 17)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    person = factory.SubFactory(PersonFactory)
    line_1 = "1 Imaginary Row"
    town = "Nowhereton"
    postcode = "ZZ99 1AA"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    marac = factory.SubFactory(MaracFactory)
    reference = factory.Sequence(lambda n: f"TEST-{n:05d}")
    victim = factory.SubFactory(PersonFactory, marac=factory.SelfAttribute("..marac"))
    referred_on = datetime.date(2026, 10, 1)
    referring_agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def parties(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            CaseParty.objects.create(case=self, person=self.victim, role=PartyRole.VICTIM)


__all__ = ["Role"]
