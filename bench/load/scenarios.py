"""The meeting-day mix: what representatives and coordinators click, in a closed loop with think time.

A representative, over and over: the meeting's case list, a case's page (opening a case is audited: a write for
every read), the case in the live meeting, then their agency's research on one of the cases they cover (the form,
then saving it). A coordinator, over and over: the live meeting, a case in it, and recording an action (the
form's page, saving, and the page it returns to). Each click waits for the answer, then the person thinks for a few
seconds (none in the saturation runs).

Research is saved on listings shared out between the representatives of each agency, so two people never edit the
same agency's research on the same case: a stale-version refusal would be a real answer, but not the one measured.
"""

import asyncio
import datetime
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.load.client import Browser, Form, post_form
from referrals.calendar import WorkingCalendar, add_working_days

THINK_SECONDS = (2.0, 5.0)  # uniform: a few seconds between clicks


@dataclass(frozen=True)
class Person:
    email: str
    totp_secret: str
    kind: str  # "coordinator" or "representative"
    agency: int
    research_listings: tuple[int, ...]  # for representatives: the listings whose research they keep


@dataclass(frozen=True)
class MeetingDay:
    meeting: int
    listings: tuple[int, ...]
    cases: dict[int, int]  # listing -> case
    people: tuple[Person, ...]


def meeting_day(plan: dict) -> MeetingDay:  # type: ignore[type-arg]
    listings = tuple(row["listing"] for row in plan["listings"])
    by_agency: dict[int, list[int]] = defaultdict(list)
    for number, user in enumerate(plan["users"]):
        if user["kind"] == "representative":
            by_agency[user["agency"]].append(number)
    people = []
    for number, user in enumerate(plan["users"]):
        share: tuple[int, ...] = ()
        if user["kind"] == "representative":
            colleagues = by_agency[user["agency"]]
            index = colleagues.index(number)
            share = listings[index :: len(colleagues)] or listings[:1]
        people.append(Person(user["email"], user["totp_secret"], user["kind"], user["agency"], share))
    cases = {row["listing"]: row["case"] for row in plan["listings"]}
    return MeetingDay(plan["meeting"], listings, cases, tuple(people))


Think = Callable[[], Awaitable[None]]


def thinker(rng: random.Random, think: bool) -> Think:
    async def pause() -> None:
        await asyncio.sleep(rng.uniform(*THINK_SECONDS) if think else 0)

    return pause


def fill_research(form: Form, rng: random.Random) -> dict[str, str]:
    data = dict(form.fields)
    data["known_to_agency"] = "yes"
    for name, values in form.choices.items():  # child research: the first answer offered, if none is chosen
        if name not in data and values and name != "is_written_submission":
            data[name] = values[0]
    stamp = f"{rng.randint(1, 10**6)}"
    data["about_victim"] = f"Known to us: contact last month, safety plan reviewed (note {stamp})."
    return data


async def representative(browser: Browser, person: Person, day: MeetingDay, rng: random.Random, think: Think) -> None:
    listing = rng.choice(day.listings)
    await browser.get("case list", f"/meetings/{day.meeting}/case-list/")
    await think()
    await browser.get("case page", f"/cases/{day.cases[listing]}/")
    await think()
    await browser.get("live case", f"/meetings/{day.meeting}/live/{listing}/")
    await think()
    mine = rng.choice(person.research_listings)
    page = await browser.get("research form", f"/meetings/listings/{mine}/research/")
    await think()
    if page:
        data = fill_research(post_form(page, containing="version"), rng)
        await browser.post("research save", f"/meetings/listings/{mine}/research/", data)
        await browser.get("research form", f"/meetings/listings/{mine}/research/")
        await think()


def _fill_action(form: Form, rng: random.Random) -> dict[str, str]:
    data = dict(form.fields)
    data["owner_agency"] = rng.choice(form.choices["owner_agency"])
    data["for_whom"] = rng.choice(form.choices["for_whom"])
    data["description"] = "Share the safety plan with the school and confirm by email."
    # About a fortnight on, on a working day: the page refuses a weekend or bank holiday (meetings/live_rules.py).
    today = datetime.datetime.now(datetime.UTC).date()
    data["due_on"] = add_working_days(today, 10, calendar=WorkingCalendar()).isoformat()
    return data


async def coordinator(browser: Browser, person: Person, day: MeetingDay, rng: random.Random, think: Think) -> None:
    listing = rng.choice(day.listings)
    await browser.get("live meeting", f"/meetings/{day.meeting}/live/")
    await think()
    page = await browser.get("live case", f"/meetings/{day.meeting}/live/{listing}/")
    await think()
    if page:
        data = _fill_action(post_form(page, containing="owner_agency"), rng)
        await browser.post("action save", f"/meetings/{day.meeting}/live/{listing}/actions/", data)
        await browser.get("live case", f"/meetings/{day.meeting}/live/{listing}/")
        await think()


async def minimal_page(browser: Browser, person: Person, day: MeetingDay, rng: random.Random, think: Think) -> None:
    await browser.get("minimal page", "/bench/minimal/")
    await think()


async def case_opened(browser: Browser, person: Person, day: MeetingDay, rng: random.Random, think: Think) -> None:
    listing = rng.choice(day.listings)
    await browser.get("case opened, nothing shown", f"/bench/case-opened/{day.cases[listing]}/")
    await think()


Behaviour = Callable[[Browser, Person, MeetingDay, random.Random, Think], Awaitable[None]]


def behaviour_of(person: Person) -> Behaviour:
    return coordinator if person.kind == "coordinator" else representative
