"""The synthetic demo data: deterministic, shaped like SafeLives' national figures, and plainly fictional."""

import hashlib
import itertools
import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.mfa.utils import decrypt
from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from accounts.models import User
from cases.models import Case, CaseParty, CaseStatus, PartyRole
from demo import fictional
from demo.generator import AreaCounts, generate_area, generate_national, region_name
from demo.personas import DEMO_PASSWORD, PERSONAS, REPRESENTATIVE_NAMES
from marac.models import AgencyType, Marac, MaracAgency, PopulationFigure
from meetings.models import Listing, Meeting
from meetings.series import LONDON
from meetings.services import meetings_ensure_ahead
from people.models import Address, Alias, Ethnicity, Gender, Person

SEED = 7
START, END = date(2025, 7, 1), date(2026, 6, 30)


@pytest.fixture(scope="module")
def area(django_db_setup, django_db_blocker) -> Iterator[AreaCounts]:
    """One generated year for the whole module, inside a transaction rolled back at the end of it.

    Each test's own transaction nests inside this one as a savepoint, so the year is made only once."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield generate_area(seed=SEED, start=START, end=END)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _period_cases(marac_id):
    return Case.objects.filter(marac_id=marac_id, referred_on__range=(START, END))


def _age(on, born):
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _measure(marac_id) -> dict[str, float]:
    cases = _period_cases(marac_id)
    total = cases.count()
    women = PopulationFigure.objects.filter(marac_id=marac_id, year=END.year).aggregate(
        women=Sum("adult_female_population")
    )["women"]
    young = sum(16 <= _age(on, born) <= 17 for on, born in cases.values_list("referred_on", "victim__date_of_birth"))
    return {
        "cases_per_10k_adult_women": total / women * 10_000,
        "repeat_share": cases.filter(is_repeat=True).count() / total,
        "non_police_share": cases.exclude(referring_agency__agency_type=AgencyType.POLICE).count() / total,
        "children_per_case": CaseParty.objects.filter(case__in=cases, role=PartyRole.CHILD).count() / total,
        "male_share": cases.filter(victim__gender=Gender.MALE).count() / total,
        "disabled_share": cases.filter(victim__has_disability=True).count() / total,
        "minoritised_share": cases.exclude(victim__ethnicity__in=[Ethnicity.WHITE, Ethnicity.NOT_KNOWN]).count()
        / total,
        "aged_16_17_share": young / total,
    }


def _digest(marac_id) -> str:
    cases = Case.objects.filter(marac_id=marac_id).order_by("reference")
    rows = [
        list(
            cases.values_list(
                "reference",
                "referred_on",
                "heard_on",
                "status",
                "information_only",
                "is_repeat",
                "victim_pregnant",
                "dash_score",
                "referring_agency__agency_type",
                "referred_by__email",
                "victim__given_name",
                "victim__family_name",
                "victim__date_of_birth",
                "victim__gender",
                "victim__ethnicity",
            )
        ),
        list(
            CaseParty.objects.filter(case__in=cases)
            .order_by("case__reference", "role", "person__family_name", "person__given_name", "person__date_of_birth")
            .values_list("case__reference", "role", "person__given_name", "person__family_name")
        ),
        # Sorted once decrypted: the stored addresses are ciphertext, different on every write.
        sorted(
            Address.objects.filter(person__marac_id=marac_id).values_list(
                "line_1", "postcode", "postcode_district", "lived_from", "confidential", "safe_to_post"
            ),
            key=str,
        ),
        sorted(
            decrypt(data["secret"])
            for data in Authenticator.objects.filter(user__role_grants__marac_id=marac_id).values_list(
                "data", flat=True
            )
        ),
    ]
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def _generate_and_digest(seed) -> str:
    # Another name, so that it can sit beside the module's Northbrook; rolled back straight after.
    with transaction.atomic():
        counts = generate_area(seed=seed, start=START, end=END, name="Samplemere MARAC", reference_prefix="SM")
        digest = _digest(counts.marac_id)
        transaction.set_rollback(True)
    return digest


@pytest.mark.django_db
def test_it_gives_the_same_data_for_the_same_seed_and_different_data_for_another(area):
    first = _generate_and_digest(SEED)
    assert _generate_and_digest(SEED) == first
    assert _generate_and_digest(SEED + 1) != first


# SafeLives' national MARAC figures for the 12 months to September 2024, with how close a year must come.
SAFELIVES = {
    "cases_per_10k_adult_women": (47, 1),
    "repeat_share": (0.31, 0.02),
    "non_police_share": (0.36, 0.02),
    "children_per_case": (1.2, 0.05),
    "male_share": (0.06, 0.01),
    "disabled_share": (0.10, 0.01),
    "minoritised_share": (0.14, 0.01),
    "aged_16_17_share": (0.013, 0.004),
}


@pytest.fixture(scope="module")
def measured(area, django_db_blocker) -> dict[str, float]:
    with django_db_blocker.unblock():
        return _measure(area.marac_id)


@pytest.mark.parametrize("figure", SAFELIVES)
def test_it_matches_the_safelives_national_figure(measured, figure):
    target, tolerance = SAFELIVES[figure]
    assert measured[figure] == pytest.approx(target, abs=tolerance)


@pytest.mark.django_db
def test_it_makes_every_repeat_follow_a_hearing_of_the_same_victim_and_perpetrator_within_12_months(area):
    repeats = _period_cases(area.marac_id).filter(is_repeat=True).prefetch_related("parties")
    assert repeats.exists()
    for repeat in repeats:
        perpetrators = [party.person_id for party in repeat.parties.all() if party.role == PartyRole.PERPETRATOR]
        earlier = Case.objects.filter(
            victim_id=repeat.victim_id,
            information_only=False,
            heard_on__lt=repeat.referred_on,
            heard_on__gte=repeat.referred_on - timedelta(days=365),
            parties__role=PartyRole.PERPETRATOR,
            parties__person_id__in=perpetrators,
        )
        assert earlier.exists(), repeat.reference


@pytest.mark.django_db
def test_it_gives_every_case_one_victim_and_at_least_one_perpetrator_and_some_two(area):
    counts = Case.objects.filter(marac_id=area.marac_id).annotate(
        victims=Count("parties", filter=Q(parties__role=PartyRole.VICTIM)),
        perpetrators=Count("parties", filter=Q(parties__role=PartyRole.PERPETRATOR)),
    )
    assert set(counts.values_list("victims", flat=True)) == {1}
    assert set(counts.values_list("perpetrators", flat=True)) == {1, 2}


@pytest.mark.django_db
def test_it_gives_no_victim_two_children_born_months_apart_only_twins(area):
    children_by_victim: dict[int, set[date]] = {}
    for victim, born in CaseParty.objects.filter(case__marac_id=area.marac_id, role=PartyRole.CHILD).values_list(
        "case__victim_id", "person__date_of_birth"
    ):
        children_by_victim.setdefault(victim, set()).add(born)
    families = [sorted(births) for births in children_by_victim.values() if len(births) > 1]
    assert len(families) > 50
    too_close = [
        (earlier, later)
        for births in families
        for earlier, later in itertools.pairwise(births)
        if later - earlier < timedelta(days=300)
    ]
    assert too_close == []


@pytest.mark.django_db
def test_it_lists_for_information_only_no_case_with_children_or_a_pregnant_victim(area):
    information_only = _period_cases(area.marac_id).filter(information_only=True)
    assert information_only.exists()
    assert not information_only.filter(Q(victim_pregnant=True) | Q(parties__role=PartyRole.CHILD)).exists()


@pytest.mark.django_db
def test_it_hears_cases_about_three_weeks_after_referral_and_leaves_the_latest_unheard(area):
    cases = _period_cases(area.marac_id)
    waits = [
        (heard - referred).days
        for referred, heard in cases.filter(heard_on__isnull=False).values_list("referred_on", "heard_on")
    ]
    assert min(waits) >= 10 and max(waits) <= 40
    assert 18 <= sum(waits) / len(waits) <= 25
    unheard = cases.filter(heard_on__isnull=True)
    assert set(unheard.values_list("status", flat=True)) == {CaseStatus.LISTED, CaseStatus.REFERRED}
    assert not unheard.filter(referred_on__lt=END - timedelta(days=40)).exists()
    assert cases.filter(status=CaseStatus.CLOSED).exists() and cases.filter(status=CaseStatus.HEARD).exists()


@pytest.mark.django_db
def test_it_hears_every_case_at_a_meeting_the_application_itself_would_schedule(area):
    marac = Marac.objects.get(pk=area.marac_id)
    meeting_days = {meeting.starts_at.astimezone(LONDON).date() for meeting in Meeting.objects.filter(marac=marac)}
    heard_days = set(Case.objects.filter(marac=marac, heard_on__isnull=False).values_list("heard_on", flat=True))
    assert heard_days <= meeting_days
    before = Meeting.objects.filter(marac=marac).count()
    meetings_ensure_ahead(marac=marac, start=END - timedelta(days=60))
    assert Meeting.objects.filter(marac=marac).count() == before


@pytest.mark.django_db
def test_it_uses_only_invented_names(area):
    given = {*fictional.FEMALE_GIVEN_NAMES, *fictional.MALE_GIVEN_NAMES, *fictional.CHILD_GIVEN_NAMES}
    people = Person.objects.filter(marac_id=area.marac_id)
    aliases = Alias.objects.filter(person__marac_id=area.marac_id)
    assert set(people.values_list("given_name", flat=True)) | set(aliases.values_list("given_name", flat=True)) <= given
    families = set(people.values_list("family_name", flat=True)) | set(aliases.values_list("family_name", flat=True))
    assert families <= set(fictional.FAMILY_NAMES)
    staff = {persona.full_name for persona in PERSONAS} | set(REPRESENTATIVE_NAMES.values())
    assert set(User.objects.values_list("full_name", flat=True)) == staff
    assert all(email.endswith("@northbrook.example") for email in User.objects.values_list("email", flat=True))


@pytest.mark.django_db
def test_it_gives_everyone_one_current_address_in_a_fictional_postcode_area(area):
    people = Person.objects.filter(marac_id=area.marac_id)
    current = Address.objects.filter(person__in=people, lived_to__isnull=True)
    assert current.count() == people.count() == current.values("person").distinct().count()
    assert {postcode[:2] for postcode in current.values_list("postcode", flat=True)} == {"NB", "EV"}
    confidential = current.filter(confidential=True, person__cases_as_victim__isnull=False)
    assert confidential.filter(safe_to_post=True).exists() and confidential.filter(safe_to_post=False).exists()


@pytest.mark.django_db
def test_it_sets_up_every_agency_with_a_representative_and_the_nine_core_ones_as_core(area):
    memberships = MaracAgency.objects.filter(marac_id=area.marac_id)
    assert set(memberships.values_list("agency__agency_type", flat=True)) == set(AgencyType.values)
    assert not memberships.filter(representative__isnull=True).exists()
    assert memberships.filter(is_core=True).count() >= 9


@pytest.mark.django_db
def test_it_gives_the_demo_referrer_a_handful_of_their_agencys_referrals(area):
    referrer = User.objects.get(email="referrer@northbrook.example")
    referred = Case.objects.filter(referred_by=referrer)
    assert 3 <= referred.count() <= 8
    assert set(referred.values_list("referring_agency", flat=True)) == {referrer.agency_id}


@pytest.mark.django_db
def test_it_gives_each_persona_the_demo_password_and_an_authenticator_for_its_secret(area):
    marac = Marac.objects.get(pk=area.marac_id)
    for persona in PERSONAS:
        user = User.objects.get(email=f"{persona.slug}@northbrook.example", role_grants__marac=marac)
        assert user.role_grants.get().role == persona.role
        assert user.check_password(DEMO_PASSWORD)
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        secret = decrypt(authenticator.data["secret"])
        assert len(secret) == 32
        counters = list(yield_hotp_counters_from_time())
        code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
        assert TOTP(authenticator).validate_code(code)


@pytest.mark.django_db
def test_it_generates_areas_side_by_side_for_national_benchmarks(area):
    areas = generate_national(maracs=2, years=1, seed=3, end=END)
    ids = {area.marac_id for area in areas}
    assert len(ids) == 2
    assert all(area.users == 0 and area.cases_in_period > 100 for area in areas)
    assert Case.objects.filter(marac_id__in=ids).count() == sum(area.cases for area in areas)
    assert not User.objects.filter(role_grants__marac_id__in=ids).exists()
    assert set(Marac.objects.filter(pk__in=ids).values_list("region", flat=True)) == {"Region 1"}


def _written(marac_id: int) -> dict[str, list[tuple[object, ...]]]:
    """Everything generated for an area, without keys or names of the area itself, in a stable order."""

    def number(reference: str) -> str:
        return reference.split("-", 1)[1]

    def person(p: Person) -> tuple[object, ...]:
        return (p.given_name, p.family_name, p.date_of_birth, p.gender, p.ethnicity, p.sexuality, p.has_disability)

    cases = Case.objects.filter(marac_id=marac_id).select_related("victim", "referring_agency")
    parties = CaseParty.objects.filter(case__marac_id=marac_id).select_related("case", "person")
    addresses = Address.objects.filter(person__marac_id=marac_id)
    return {
        "cases": sorted(  # by repr: some dates are None
            (
                (
                    number(case.reference),
                    case.status,
                    case.referred_on,
                    case.heard_on,
                    case.referring_agency.agency_type,
                    case.information_only,
                    case.is_repeat,
                    case.victim_pregnant,
                    case.dash_score,
                    person(case.victim),
                )
                for case in cases
            ),
            key=repr,
        ),
        "parties": sorted(
            ((number(party.case.reference), party.role, person(party.person)) for party in parties), key=repr
        ),
        "addresses": sorted(
            (
                (
                    address.line_1,
                    address.town,
                    address.postcode,
                    address.postcode_district,
                    address.lived_from,
                    address.lived_to,
                    address.safe_to_post,
                    address.confidential,
                )
                for address in addresses
            ),
            key=repr,
        ),
        "aliases": sorted(Alias.objects.filter(person__marac_id=marac_id).values_list("given_name", "family_name")),
        "listings": sorted(
            Listing.objects.filter(case__marac_id=marac_id).values_list(
                "case__reference", "meeting__starts_at", "kind", "outcome"
            )
        ),
    }


@pytest.mark.django_db
def test_copy_writes_the_same_area_as_bulk_create():
    """The national benchmark's fast path (COPY, PostgreSQL only) writes exactly what bulk_create writes."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    kwargs = {"seed": 11, "start": date(2025, 1, 1), "end": date(2025, 6, 30), "with_users": False}
    orm = generate_area(name="Orm MARAC", reference_prefix="ORM", use_copy=False, **kwargs)
    copied = generate_area(name="Copy MARAC", reference_prefix="CPY", use_copy=True, **kwargs)
    assert orm.cases == copied.cases > 100
    assert (orm.people, orm.addresses, orm.aliases, orm.case_parties) == (
        copied.people,
        copied.addresses,
        copied.aliases,
        copied.case_parties,
    )
    expected, actual = _written(orm.marac_id), _written(copied.marac_id)
    expected["listings"] = [(number.replace("ORM", "CPY"), *rest) for number, *rest in expected["listings"]]
    assert actual == expected
    # And the copied rows behave like any other: addresses decrypt, new rows get fresh keys.
    assert (
        Case.objects.create(
            marac_id=copied.marac_id,
            reference="CPY-NEW",
            victim=Person.objects.filter(marac_id=copied.marac_id).first(),
            referred_on=date(2025, 7, 1),
            referring_agency=Case.objects.filter(marac_id=copied.marac_id).first().referring_agency,
        ).pk
        > Case.objects.filter(marac_id=copied.marac_id).exclude(reference="CPY-NEW").order_by("-pk").first().pk
    )


def test_national_maracs_fall_into_regions():
    assert [region_name(index, 30) for index in (0, 29, 30, 299)] == ["Region 1", "Region 1", "Region 2", "Region 10"]
