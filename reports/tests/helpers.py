"""Small hand-built datasets for the indicator tests: every answer is worked out in the test that uses it."""

import datetime

from django.utils import timezone

from cases.models import Case, CaseParty, PartyRole
from marac.models import Agency, AgencyType, Marac
from meetings.models import Listing, Meeting, MeetingState, MeetingStatus
from reports.cohorts import Scope
from reports.periods import Period, PeriodKind, period_containing
from testing.factories import AgencyFactory, CaseFactory, PersonFactory

# April to June 2026: a financial year's first quarter, in the past.
QUARTER = period_containing(PeriodKind.QUARTER, datetime.date(2026, 5, 15))
REFERRED_ON = datetime.date(2026, 5, 1)
HEARD_ON = datetime.date(2026, 5, 12)


def scope(*maracs: Marac, period: Period = QUARTER) -> Scope:
    return Scope(tuple(marac.pk for marac in maracs), period)


def police(marac: Marac) -> Agency:
    return AgencyFactory(name=f"{marac.name} Police", agency_type=AgencyType.POLICE)


def case(marac: Marac, **fields: object) -> Case:
    fields.setdefault("referred_on", REFERRED_ON)
    fields.setdefault("heard_on", HEARD_ON)
    return CaseFactory(marac=marac, **fields)


def cases(marac: Marac, count: int, **fields: object) -> list[Case]:
    return [case(marac, **fields) for _ in range(count)]


def add_party(on: Case, role: PartyRole, **person: object) -> None:
    CaseParty.objects.create(case=on, person=PersonFactory(marac=on.marac, **person), role=role)


def meeting(marac: Marac, day: datetime.date = HEARD_ON, *, closed: bool = True) -> Meeting:
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    held = Meeting.objects.create(marac=marac, starts_at=starts_at)
    if closed:
        MeetingState.objects.create(meeting=held, status=MeetingStatus.CLOSED)
    return held


# Well before QUARTER and the same quarter a year before: the test MARACs' first meeting held here.
RECORDS_BEGIN = datetime.date(2024, 1, 9)


def records_begin(*maracs: Marac, on: datetime.date = RECORDS_BEGIN) -> None:
    """Each MARAC's first meeting held here, from which its records are complete (reports.indicators.RecordsBegin):
    in a period before it, a figure a missing history would make look bad (cases per 10,000 women, a change) has
    no data."""
    for marac in maracs:
        meeting(marac, on)


def listing(at: Meeting, of: Case, **fields: object) -> Listing:
    return Listing.objects.create(meeting=at, case=of, **fields)
