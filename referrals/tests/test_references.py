"""Case references: the MARAC's own series continues, the next number is one more than the highest used (a gap or
an imported reference never makes it collide), and a collision is a clear message, never a server error."""

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Case
from referrals import references
from referrals.models import ReferralStatus
from referrals.tests.test_accept_known_person import confirm_victim_held
from referrals.tests.test_decision_matching import submitted_referral
from testing.factories import CaseFactory, MaracFactory

# --- The rules: worked examples ---------------------------------------------------------------------------------------


def test_it_numbers_one_more_than_the_highest_used_not_the_count():
    taken = ["NB-2026-0001", "NB-2026-0003"]
    assert references.next_reference("NB", 2026, taken) == "NB-2026-0004"


def test_it_starts_each_year_and_prefix_afresh():
    taken = ["NB-2025-0120", "NM-2026-0009", "TEST-00001"]
    assert references.next_reference("NB", 2026, taken) == "NB-2026-0001"


def test_it_goes_past_four_digits_when_a_year_needs_it():
    assert references.next_reference("NB", 2026, ["NB-2026-9999"]) == "NB-2026-10000"


def test_the_series_is_the_prefix_most_recent_cases_use():
    recent = ["NM-2026-0001", "NB-2026-0101", "NB-2026-0100", "NB-2026-0099"]
    assert references.series_prefix(recent, marac_name="Northbrook MARAC") == "NB"


def test_a_tie_goes_to_the_most_recent_series():
    recent = ["Q001-2026-0002", "NB-2026-0001", "Q001-2026-0001", "NB-2025-0001"]
    assert references.series_prefix(recent, marac_name="Northbrook MARAC") == "Q001"


def test_a_marac_without_cases_uses_its_initials():
    assert references.series_prefix([], marac_name="Northbrook MARAC") == "NM"
    assert references.series_prefix(["TEST-00001", "old 17"], marac_name="east  vale marac") == "EVM"
    assert references.series_prefix([], marac_name="1st Area") == "A"
    assert references.series_prefix([], marac_name="123") == references.FALLBACK_PREFIX


# --- The rules: properties --------------------------------------------------------------------------------------------

prefixes = st.sampled_from(["NB", "NM", "Q001", "EV"])
years = st.integers(min_value=2000, max_value=2030)
existing = st.lists(
    st.one_of(
        st.builds(
            lambda prefix, year, number, width: f"{prefix}-{year}-{number:0{width}d}",
            prefixes,
            years,
            st.integers(min_value=0, max_value=20_000),
            st.integers(min_value=1, max_value=6),
        ),
        st.text(max_size=20),
    ),
    max_size=40,
)


@given(prefix=prefixes, year=years, taken=existing)
def test_whatever_references_exist_the_next_one_is_unused(prefix, year, taken):
    reference = references.next_reference(prefix, year, taken)
    assert reference not in taken
    assert reference.startswith(f"{prefix}-{year}-")


@given(prefix=prefixes, year=years, taken=existing)
def test_taking_the_next_reference_again_and_again_never_repeats_one(prefix, year, taken):
    held = list(taken)
    for _ in range(3):
        reference = references.next_reference(prefix, year, held)
        assert reference not in held
        held.append(reference)


@given(recent=st.lists(st.builds(lambda p, n: f"{p}-2026-{n:04d}", prefixes, st.integers(1, 999)), min_size=1))
def test_the_series_prefix_is_one_the_marac_already_uses(recent):
    assert references.series_prefix(recent, marac_name="Northbrook MARAC") in {r.split("-")[0] for r in recent}


# --- Through the pages ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_continues_the_marac_series_past_a_gap(client_for, referrer, coordinator, marac):
    year = timezone.localdate().year
    for number in (1, 2, 3, 5):
        CaseFactory(marac=marac, reference=f"NB-{year}-{number:04d}")
    CaseFactory(marac=marac, reference=f"NM-{year}-0003")  # the old rule's stray, from an import
    referral = submitted_referral(client_for, referrer)

    response = client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/", follow=True)

    assert response.status_code == 200
    assert f"Referral accepted as case NB-{year}-0006" in response.content.decode()
    referral.refresh_from_db()
    assert referral.case.reference == f"NB-{year}-0006"


@pytest.mark.django_db
def test_a_new_marac_starts_its_series_from_its_initials(client_for, referrer, coordinator, marac):
    year = timezone.localdate().year
    first = submitted_referral(client_for, referrer)
    CaseFactory(marac=MaracFactory(name="Newmarket Moor MARAC"), reference=f"NM-{year}-0002")  # same initials
    second = submitted_referral(client_for, referrer)
    coordinator_client = client_for(coordinator)

    coordinator_client.post(f"/referrals/{first.pk}/decision/accept/")
    confirm_victim_held(coordinator_client, second)  # the same fictional victim
    coordinator_client.post(f"/referrals/{second.pk}/decision/accept/")

    first.refresh_from_db()
    second.refresh_from_db()
    # References are unique across MARACs: the other MARAC's NM-...-0002 is skipped, never collided with.
    assert (first.case.reference, second.case.reference) == (f"NM-{year}-0003", f"NM-{year}-0004")


@pytest.mark.django_db(transaction=True)
def test_a_reference_taken_at_the_same_moment_gives_a_clear_message_and_saves_nothing(
    client_for, referrer, coordinator, marac
):
    """Another MARAC sharing the prefix (its row is not the one locked) creates the very reference this acceptance
    is about to use, and commits while the acceptance waits on it: PostgreSQL only, where the insert waits."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections; SQLite serialises writers")
    import threading

    from django.db import connections, transaction

    year = timezone.localdate().year
    referral = submitted_referral(client_for, referrer)
    other = MaracFactory(name="Nether Mead MARAC")
    victim_case = CaseFactory(marac=other, reference=f"NX-{year}-0001")
    started, release = threading.Event(), threading.Event()

    def other_marac_takes_the_reference() -> None:
        try:
            with transaction.atomic():
                Case.objects.create(
                    marac=other,
                    reference=f"NM-{year}-0001",
                    victim=victim_case.victim,
                    referred_on=timezone.localdate(),
                    referring_agency=victim_case.referring_agency,
                )
                started.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_marac_takes_the_reference)
    thread.start()
    started.wait(10)
    threading.Timer(1.0, release.set).start()  # commits while the acceptance's insert waits on the unique index

    response = client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/", follow=True)
    thread.join(10)

    assert response.status_code == 200
    assert "another case took the same case reference at the same moment" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED and referral.case is None
    assert not Case.objects.filter(marac=marac).exists()
    # Accepting again takes the next number.
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.case.reference == f"NM-{year}-0002"


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_accepting_at_once_get_different_references(client_for, referrer, coordinator, marac):
    """The MARAC's row is locked while the reference is chosen: PostgreSQL only, where the two really overlap."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections; SQLite serialises writers")
    import threading

    from django.db import connections

    year = timezone.localdate().year
    first, *referrals = [submitted_referral(client_for, referrer) for _ in range(3)]
    # The first acceptance also makes the meetings ahead, which would otherwise keep the two apart by chance.
    client_for(coordinator).post(f"/referrals/{first.pk}/decision/accept/")
    for referral in referrals:
        confirm_victim_held(client_for(coordinator), referral)  # the same fictional victim
    clients = [client_for(coordinator) for _ in referrals]
    together = threading.Barrier(len(referrals))
    statuses: list[int] = []

    def accept(client, referral) -> None:
        try:
            together.wait(10)
            statuses.append(client.post(f"/referrals/{referral.pk}/decision/accept/").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=pair) for pair in zip(clients, referrals, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert statuses == [302, 302]
    accepted = sorted(Case.objects.filter(marac=marac).values_list("reference", flat=True))
    assert accepted == [f"NM-{year}-0001", f"NM-{year}-0002", f"NM-{year}-0003"]
