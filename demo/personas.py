"""The demo's agencies and the people who sign in: one persona per role, and a named representative per agency.

Every account shares one published password and has an authenticator whose secret comes from the seed,
so the demo's sign-ins can be printed and typed into a real authenticator app.
"""

import base64
import hashlib
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.contrib.auth.hashers import make_password

from accounts.models import Role, RoleGrant, User
from marac.models import Agency, AgencyType, Marac, MaracAgency

DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105  published on purpose: it opens only synthetic data

# LSCB "All organisations with a role to safeguard children": SafeLives' minimum of core agencies.
CORE_AGENCY_TYPES = frozenset(
    {
        AgencyType.POLICE,
        AgencyType.IDVA_SERVICE,
        AgencyType.CHILDRENS_SOCIAL_CARE,
        AgencyType.ADULT_SOCIAL_CARE,
        AgencyType.HOUSING,
        AgencyType.PROBATION,
        AgencyType.SUBSTANCE_MISUSE,
        AgencyType.MENTAL_HEALTH,
        AgencyType.PRIMARY_HEALTH,
        AgencyType.SECONDARY_HEALTH,
    }
)

AGENCY_NAMES: dict[AgencyType, str] = {
    AgencyType.POLICE: "{stem} Constabulary",
    AgencyType.IDVA_SERVICE: "{stem} IDVA Service",
    AgencyType.CHILDRENS_SOCIAL_CARE: "{stem} Children's Social Care",
    AgencyType.ADULT_SOCIAL_CARE: "{stem} Adult Social Care",
    AgencyType.HOUSING: "{stem} Housing Options",
    AgencyType.PROBATION: "{stem} Probation Delivery Unit",
    AgencyType.MENTAL_HEALTH: "{stem} Mental Health Trust",
    AgencyType.PRIMARY_HEALTH: "{stem} Community Health and Health Visiting",
    AgencyType.SECONDARY_HEALTH: "{stem} General Hospital and Maternity",
    AgencyType.SUBSTANCE_MISUSE: "{stem} Recovery Service",
    AgencyType.EDUCATION: "{stem} Education Safeguarding Team",
    AgencyType.EARLY_YEARS: "{stem} Early Years and Family Hubs",
    AgencyType.YOUTH_OFFENDING: "{stem} Youth Justice Service",
    AgencyType.SPECIALIST: "{stem} Domestic Abuse Outreach and Safe Housing",
    AgencyType.OTHER: "{stem} Community Safety Partnership",
}


@dataclass(frozen=True)
class Persona:
    role: Role
    slug: str
    full_name: str
    agency_type: AgencyType
    represents_agency: bool = False


# The same personas as the test suite's (conftest.py), so the demo and the tests speak of the same people.
PERSONAS = (
    Persona(Role.COORDINATOR, "coordinator", "Cora Ordinator", AgencyType.OTHER),
    # BD: the chair is a police detective inspector.
    Persona(Role.CHAIR, "chair", "Chad Chairington", AgencyType.POLICE),
    Persona(Role.AGENCY_REPRESENTATIVE, "police-rep", "Pat Police-Rep", AgencyType.POLICE, represents_agency=True),
    Persona(Role.IDVA, "idva", "Ivy Advocate", AgencyType.IDVA_SERVICE, represents_agency=True),
    # A health visitor: refers, and follows only her own referrals.
    Persona(Role.REFERRER, "referrer", "Reggie Referrer", AgencyType.PRIMARY_HEALTH),
    Persona(Role.BOARD_VIEWER, "board-viewer", "Bea Boardmember", AgencyType.OTHER),
    Persona(Role.ADMINISTRATOR, "administrator", "Ada Minister", AgencyType.OTHER),
)

# The named representative of every other agency.
REPRESENTATIVE_NAMES: dict[AgencyType, str] = {
    AgencyType.CHILDRENS_SOCIAL_CARE: "Kit Carewell",
    AgencyType.ADULT_SOCIAL_CARE: "Addie Supportwell",
    AgencyType.HOUSING: "Hugh Housewright",
    AgencyType.PROBATION: "Prue Bationer",
    AgencyType.MENTAL_HEALTH: "Minnie Mindwell",
    AgencyType.PRIMARY_HEALTH: "Gus Practiceby",
    AgencyType.SECONDARY_HEALTH: "Mattie Wardsley",
    AgencyType.SUBSTANCE_MISUSE: "Rico Recoverby",
    AgencyType.EDUCATION: "Eddie Schoolcroft",
    AgencyType.EARLY_YEARS: "Nell Nurseryby",
    AgencyType.YOUTH_OFFENDING: "Yul Justiceworth",
    AgencyType.SPECIALIST: "Sal Safehaven",
    AgencyType.OTHER: "Cy Partnerley",
}


@dataclass(frozen=True)
class SignIn:
    role: str
    full_name: str
    email: str
    totp_secret: str


def email_domain(stem: str) -> str:
    # .example is reserved (RFC 2606): no mail can ever reach a real inbox.
    return f"{stem.lower().replace(' ', '-')}.example"


def demo_accounts() -> list[Persona]:
    """Every persona, then one representative for each agency that no persona represents."""
    return [
        *PERSONAS,
        *(
            Persona(Role.AGENCY_REPRESENTATIVE, f"{agency_type.replace('_', '-')}-rep", name, agency_type, True)
            for agency_type, name in REPRESENTATIVE_NAMES.items()
        ),
    ]


def totp_secret(*, seed: int, email: str) -> str:
    """32 base32 characters (160 bits), the same for the same seed and email."""
    digest = hashlib.sha256(f"openmarac-demo:{seed}:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def create_agencies(*, marac: Marac, stem: str) -> dict[AgencyType, Agency]:
    agencies = Agency.objects.bulk_create(
        [
            Agency(name=AGENCY_NAMES[agency_type].format(stem=stem), agency_type=agency_type)
            for agency_type in AgencyType
        ]
    )
    by_type = {AgencyType(agency.agency_type): agency for agency in agencies}
    MaracAgency.objects.bulk_create(
        [
            MaracAgency(marac=marac, agency=agency, is_core=agency_type in CORE_AGENCY_TYPES)
            for agency_type, agency in by_type.items()
        ]
    )
    return by_type


def _create_user(persona: Persona, *, marac: Marac, agency: Agency, seed: int, password: str, domain: str) -> User:
    user = User(email=f"{persona.slug}@{domain}", full_name=persona.full_name, agency=agency, password=password)
    user.save()
    RoleGrant.objects.create(user=user, marac=marac, role=persona.role)
    TOTP.activate(user, totp_secret(seed=seed, email=user.email))
    if persona.represents_agency:
        MaracAgency.objects.filter(marac=marac, agency=agency).update(representative=user)
    return user


def create_users(*, marac: Marac, agencies: dict[AgencyType, Agency], stem: str, seed: int) -> dict[str, User]:
    """Every persona and representative, by slug."""
    # Hashed once for all: the password is published anyway, and scrypt takes a quarter of a second a time.
    password = make_password(DEMO_PASSWORD)
    domain = email_domain(stem)
    return {
        persona.slug: _create_user(
            persona, marac=marac, agency=agencies[persona.agency_type], seed=seed, password=password, domain=domain
        )
        for persona in demo_accounts()
    }


def sign_ins(*, marac: Marac, stem: str) -> list[SignIn]:
    """One sign-in per role, read back from the database, so they are right whatever seed made them."""
    domain = email_domain(stem)
    found = []
    for persona in PERSONAS:
        user = User.objects.filter(email=f"{persona.slug}@{domain}", role_grants__marac=marac).first()
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if user and authenticator:
            secret = decrypt(authenticator.data["secret"])
            found.append(SignIn(Role(persona.role).label, user.full_name, user.email, secret))
    return found
