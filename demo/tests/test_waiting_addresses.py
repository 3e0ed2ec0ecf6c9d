"""The demo's referrals answer "Does the perpetrator know this address?" as referrers do: mostly No for a victim who
has moved out, Yes for one still at the home they shared, and now and then not at all; so the inbox shows addresses
both kept confidential and not, and the case heard at the emergency MARAC keeps its address as its referral said."""

import io

import pytest
from django.core.management import call_command

from referrals.decisions import victim_address_is_confidential
from referrals.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db


def _answers(status):
    referrals = Referral.objects.filter(status=status).order_by("pk")
    return [referral.content["victim"].get("perpetrator_knows_address") for referral in referrals]


def test_it_answers_whether_the_perpetrator_knows_the_address_in_a_plausible_mix():
    call_command("demo_load", "--without-matching", stdout=io.StringIO())
    waiting = _answers(ReferralStatus.SUBMITTED)
    every = waiting + _answers(ReferralStatus.ACCEPTED) + _answers(ReferralStatus.DRAFT)
    assert sorted(waiting, key=str) == [None, "no", "yes"]
    assert every.count("no") == 3 and every.count("yes") == 1 and every.count(None) == 1
    # The inbox holds both: addresses kept confidential and one that is not.
    inbox = Referral.objects.filter(status=ReferralStatus.SUBMITTED)
    confidential = [victim_address_is_confidential(referral.content["victim"]) for referral in inbox]
    assert True in confidential and False in confidential


def test_the_case_heard_at_the_emergency_marac_keeps_the_address_as_its_referral_said():
    call_command("demo_load", "--without-matching", stdout=io.StringIO())
    accepted = Referral.objects.get(status=ReferralStatus.ACCEPTED)
    assert accepted.content["victim"]["perpetrator_knows_address"] == "no"
    addresses = list(accepted.case.victim.addresses.all())
    assert addresses and all(address.confidential for address in addresses)
