"""Victims against the local population, consent shares and referrals by postcode district, on small
hand-built datasets whose answers are worked out here."""

import csv
import datetime
import io

import pytest

from audit.models import AuditAction, AuditEvent
from marac.models import PopulationBreakdown, PopulationFigure
from people.models import Address
from referrals.models import Referral, ReferralStatus
from referrals.tests.test_referral_pages import _complete
from reports.indicators import INDICATORS_BY_KEY
from reports.postcodes import referrals_by_district
from reports.report import build_report
from reports.tests.helpers import QUARTER, REFERRED_ON, cases, scope
from testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

ETHNICITY = {"asian": 10_000, "black": 5_000, "mixed": 3_000, "white": 80_000, "other": 2_000}
AGES = {"16_17": 3_000, "18_24": 11_000, "25_34": 17_000, "35_44": 16_000, "45_54": 16_000, "55_plus": 37_000}


def figure(key, *maracs):
    return INDICATORS_BY_KEY[key].compute(scope(*maracs))


def _population(marac, year=2026, ethnicity=ETHNICITY, ages=AGES):
    held = PopulationFigure.objects.create(
        marac=marac, local_authority=marac.local_authorities[0], year=year, adult_female_population=100_000
    )
    for dimension, counts in (("ethnicity", ethnicity), ("age_band", ages)):
        for category, count in counts.items():
            PopulationBreakdown.objects.create(figure=held, dimension=dimension, category=category, count=count)


@pytest.fixture
def victims(marac):
    """20 victims with an ethnic group recorded (4 Asian, 2 Black, 12 White, 2 other, none mixed) and 3 not
    known. Ages on the day of referral: the 10 born in 2000 are 25, the other 13 (default 1990) are 35."""
    young = datetime.date(2000, 6, 1)
    cases(marac, 4, victim__ethnicity="asian", victim__date_of_birth=young)
    cases(marac, 2, victim__ethnicity="black", victim__date_of_birth=young)
    cases(marac, 4, victim__ethnicity="white", victim__date_of_birth=young)
    cases(marac, 8, victim__ethnicity="white")
    cases(marac, 2, victim__ethnicity="other")
    cases(marac, 3, victim__ethnicity="not_known")


def test_it_compares_victims_ethnic_groups_with_the_population(marac, victims):
    _population(marac)
    # Asian: 4 of 20 victims (20%) against 10% of local women.
    asian = figure("population_ethnicity_asian", marac)
    assert (asian.numerator, asian.denominator) == (4, 20)
    assert asian.value == pytest.approx(0.20 / 0.10)
    # White: 12 of 20 (60%) against 80%.
    assert figure("population_ethnicity_white", marac).value == pytest.approx(0.60 / 0.80)
    assert figure("population_ethnicity_black", marac).value == pytest.approx(0.10 / 0.05)
    assert figure("population_ethnicity_other", marac).value == pytest.approx(0.10 / 0.02)
    assert figure("population_ethnicity_mixed", marac).value == 0.0


def test_it_compares_victims_age_bands_with_the_population(marac, victims):
    _population(marac)
    # All 23 victims have a date of birth: 10 aged 25 and 13 aged 35.
    assert figure("population_age_25_34", marac).value == pytest.approx((10 / 23) / 0.17)
    assert figure("population_age_35_44", marac).value == pytest.approx((13 / 23) / 0.16)
    assert figure("population_age_55_plus", marac).value == 0.0


def test_it_uses_the_latest_earlier_year_of_figures(marac, victims):
    _population(marac, year=2020, ethnicity={**ETHNICITY, "asian": 20_000, "white": 70_000})
    _population(marac, year=2030)
    assert figure("population_ethnicity_asian", marac).value == pytest.approx(0.20 / 0.20)


def test_it_has_no_data_without_a_population_breakdown(marac, victims):
    assert figure("population_ethnicity_asian", marac).value is None


def test_the_scorecard_item_is_decided_by_the_comparison(marac, victims):
    _population(marac)
    report = build_report(maracs=[(marac.pk, marac.name)], period=QUARTER, suppress=False, threshold=5)
    row = next(row for row in report.scorecard if "diversity of your local population" in row.item.statement)
    assert row.statuses == ("not met",)  # no mixed victims, White and 55+ under-represented


def _referral(marac, referrer, agency, **consents):
    return Referral.objects.create(
        marac=marac,
        referrer=referrer,
        referring_agency=agency,
        status=ReferralStatus.SUBMITTED,
        submitted_at=datetime.datetime(2026, 5, 2, 10, tzinfo=datetime.UTC),
        **consents,
    )


def test_it_shares_consent_answers_over_referrals_submitted(marac, referrer):
    agency = AgencyFactory()
    for sharing, idva in [("given", "given"), ("given", "refused"), ("given", "given"), ("refused", "given")]:
        _referral(marac, referrer, agency, information_sharing_consent=sharing, idva_referral_consent=idva)
    _referral(marac, referrer, agency, information_sharing_consent="not_asked_unsafe", idva_referral_consent="given")
    _referral(marac, referrer, agency)  # submitted before consent was kept: left out
    Referral.objects.create(marac=marac, referrer=referrer, referring_agency=agency)  # a draft
    assert figure("information_sharing_consent_given", marac).value == 60.0  # 3 of 5
    assert figure("information_sharing_consent_refused", marac).value == 20.0
    assert figure("information_sharing_consent_not_asked_unsafe", marac).value == 20.0
    assert figure("idva_referral_consent_given", marac).value == 80.0
    assert figure("idva_referral_consent_refused", marac).denominator == 5


def test_submitting_a_referral_copies_its_consent_answers(client_for, referrer):
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    assert (referral.information_sharing_consent, referral.idva_referral_consent) == ("not_asked_unsafe", "given")


@pytest.fixture
def districts(marac):
    """7 referrals from NB1 (one victim moved there from NB9 before the referral), 2 from NB2, one with no
    address and one whose only address is confidential (both "not known"), and one referred before the period."""
    for referred in cases(marac, 6):
        Address.objects.create(person=referred.victim, line_1="1 Row", postcode="NB1 1AA")
    moved = cases(marac, 1)[0]
    Address.objects.create(
        person=moved.victim, line_1="2 Row", postcode="NB9 9ZZ", lived_to=REFERRED_ON - datetime.timedelta(days=30)
    )
    Address.objects.create(
        person=moved.victim, line_1="3 Row", postcode="nb12ab", lived_from=REFERRED_ON - datetime.timedelta(days=29)
    )
    for referred in cases(marac, 2):
        Address.objects.create(person=referred.victim, line_1="4 Row", postcode="NB2 2BB")
    cases(marac, 1)
    hidden = cases(marac, 1)[0]
    Address.objects.create(person=hidden.victim, line_1="Refuge", postcode="NB3 3CC", confidential=True)
    earlier = cases(marac, 1, referred_on=datetime.date(2025, 1, 1), heard_on=None)[0]
    Address.objects.create(person=earlier.victim, line_1="5 Row", postcode="NB2 2BB")


def test_it_counts_referrals_by_the_victims_district_on_the_day_of_referral(marac, districts):
    assert referrals_by_district(scope(marac)) == [("NB1", 7), ("NB2", 2), ("not known", 2)]


def test_it_downloads_districts_with_small_counts_suppressed_and_audited(client_for, board_viewer, marac, districts):
    response = client_for(board_viewer).get("/reports/postcode-districts.csv?period=quarter&on=2026-05-15")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["postcode_district", "referrals", "period_start", "period_end"],
        ["NB1", "7", "2026-04-01", "2026-06-30"],
        ["NB2", "<6", "2026-04-01", "2026-06-30"],
        ["not known", "<6", "2026-04-01", "2026-06-30"],
    ]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert "referrals-by-postcode-district" in event.summary


def test_outsiders_cannot_download_districts(client_for, outsider, marac, districts):
    response = client_for(outsider).get(f"/reports/postcode-districts.csv?marac={marac.pk}")
    assert response.status_code == 404
