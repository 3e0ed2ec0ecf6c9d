"""Invented words for the synthetic data: every name, street and place is made up and meant to look it.

A given name from these lists next to a family name from these lists can never be mistaken for a real
person, and the postcode areas (NB, EV, and Q.. for generated areas) are not used by Royal Mail.
"""

import random

FEMALE_GIVEN_NAMES = (
    "Fictoria",
    "Imagina",
    "Pretendra",
    "Dummelia",
    "Mockelle",
    "Samplina",
    "Fabrica",
    "Inventia",
    "Makella",
    "Fauxline",
    "Nonesia",
    "Examplia",
    "Figmenta",
    "Dreamelda",
    "Storiana",
    "Fablette",
    "Phantasia",
    "Illusia",
    "Mythelda",
    "Legenda",
    "Fancia",
    "Chimerelle",
    "Novellina",
    "Parabelle",
    "Allegora",
    "Rumoura",
    "Hoaxanna",
    "Spoofina",
    "Bluffelia",
    "Pseudonia",
)

MALE_GIVEN_NAMES = (
    "Fictor",
    "Imaginald",
    "Pretendrick",
    "Dummond",
    "Mockwell",
    "Samplebert",
    "Fibbert",
    "Fabulan",
    "Inventus",
    "Makewin",
    "Fauxton",
    "Figmund",
    "Dreamot",
    "Storian",
    "Fableton",
    "Whimsio",
    "Phantomas",
    "Illusio",
    "Mythian",
    "Legendo",
    "Fancius",
    "Bogustin",
    "Shamwick",
    "Hoaxley",
    "Ruseberto",
    "Guisepho",
    "Bluffard",
    "Spoofrey",
    "Ficticus",
    "Pseudon",
)

CHILD_GIVEN_NAMES = (
    "Tiddlet",
    "Sproutlin",
    "Pipkinny",
    "Bramblet",
    "Tinkerly",
    "Pebblina",
    "Wispet",
    "Moppetty",
    "Buttonby",
    "Dimplet",
    "Puddleton",
    "Nibbet",
    "Twiglette",
    "Acornia",
    "Fernlet",
    "Conkerby",
    "Bumblet",
    "Sprocketty",
    "Jinglet",
    "Poppetina",
    "Muffinly",
    "Doodlebug",
    "Thimblet",
    "Crumpetta",
)

FAMILY_NAMES = (
    "Fakesby",
    "Testworth",
    "Madeupson",
    "Inventa",
    "Notrealton",
    "Pretendle",
    "Fictionfield",
    "Mockridge",
    "Samplewood",
    "Dummington",
    "Placeholderby",
    "Imaginaryson",
    "Nonesuchly",
    "Fauxley",
    "Bogusford",
    "Fabricatworth",
    "Hypotheton",
    "Examplar",
    "Fibbington",
    "Figmentson",
    "Unrealson",
    "Makebelieve",
    "Pseudonymous",
    "Shamwell",
    "Hoaxford",
    "Spoofington",
    "Bluffworth",
    "Counterfeitley",
    "Fictionby",
    "Sampleton",
    "Mockingworth",
    "Testerby",
    "Dummyfield",
    "Notaname",
    "Noneworth",
    "Phantomley",
    "Imaginova",
    "Pretendersby",
    "Inkwellson",
    "Storyfold",
)

STREET_WORDS = (
    "Imaginary",
    "Pretend",
    "Fiction",
    "Makebelieve",
    "Notreal",
    "Sample",
    "Placeholder",
    "Dummy",
    "Mockup",
    "Fable",
    "Figment",
    "Whimsy",
    "Daydream",
    "Nowhere",
    "Hypothesis",
    "Invention",
    "Storybook",
    "Faraway",
)

STREET_KINDS = ("Row", "Lane", "Street", "Close", "Avenue", "Crescent", "Road", "Gardens", "Way", "Terrace", "Mews")

# For generated areas: stems no town in the United Kingdom has, so "Fakesbrook MARAC" is plainly made up.
AREA_STEM_STARTS = (
    "Fakes",
    "Mock",
    "Dummy",
    "Testing",
    "Sample",
    "Pretend",
    "Fiction",
    "Imagin",
    "Invent",
    "Notreal",
    "Figment",
    "Fable",
    "Whimsy",
    "Hoax",
    "Spoof",
    "Bluff",
    "Sham",
    "Faux",
    "Bogus",
    "Pseudo",
)
AREA_STEM_ENDS = ("brook", "vale", "mere", "ford", "ham", "ton", "bury", "field", "wick", "stead", "dale", "well")

# The letters Royal Mail allows in the last two places of a postcode.
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

DISABILITY_DETAILS = (
    "Physical impairment",
    "Long-term illness",
    "Learning disability",
    "Mental health condition",
    "Sensory impairment",
)

OTHER_FIRST_LANGUAGES = ("Polish", "Urdu", "Punjabi", "Bengali", "Romanian", "Arabic", "Somali", "Portuguese")


def given_name(rng: random.Random, *, male: bool) -> str:
    return rng.choice(MALE_GIVEN_NAMES if male else FEMALE_GIVEN_NAMES)


def family_name(rng: random.Random) -> str:
    return rng.choice(FAMILY_NAMES)


def postcode(rng: random.Random, area: str) -> str:
    letters = rng.choice(_INWARD_LETTERS) + rng.choice(_INWARD_LETTERS)
    return f"{area}{rng.randint(1, 9)} {rng.randint(1, 9)}{letters}"


def street_line(rng: random.Random) -> str:
    street = f"{rng.choice(STREET_WORDS)} {rng.choice(STREET_KINDS)}"
    if rng.random() < 0.2:
        return f"Flat {rng.randint(1, 24)}, {rng.randint(1, 60)} {street}"
    return f"{rng.randint(1, 199)} {street}"


def area_stems() -> list[str]:
    """Every generated area stem, in a fixed order; callers take as many as they need."""
    return [start + end for end in AREA_STEM_ENDS for start in AREA_STEM_STARTS]


def generated_postcode_area(index: int) -> str:
    # No real postcode starts with Q, so these can never be someone's real address.
    return "Q" + "ABCDEFGHIJKLMNOPRSTUWY"[index % 22]


# Slips of the keyboard when a name is typed again: the letters either side of each on a UK keyboard.
_NEIGHBOURING_KEYS = {
    "a": "qsz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo", "j": "hk",
    "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et", "s": "ad", "t": "ry",
    "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
}  # fmt: skip


def mistyped(rng: random.Random, name: str) -> str:
    """The name with one slip of the keyboard, as another agency might type it: two letters the wrong way round,
    one left out or doubled, or a neighbouring key. The first letter is left alone (people rarely get it wrong),
    so a mistyped invented name is still plainly invented."""
    at = rng.randrange(1, len(name) - 1)
    slip = rng.choice(("swap", "drop", "double", "neighbour"))
    if slip == "swap" and name[at] != name[at + 1]:
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    if slip == "drop":
        return name[:at] + name[at + 1 :]
    if slip == "double":
        return name[: at + 1] + name[at:]
    return name[:at] + rng.choice(_NEIGHBOURING_KEYS[name[at].lower()]) + name[at + 1 :]
