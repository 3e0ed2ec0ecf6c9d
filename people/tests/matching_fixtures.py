"""A small trained matching model for the tests, trained once per run on synthetic records (no database), and
a fixture that saves it as a MARAC's current model. Test modules import the fixtures they use from here."""

import datetime
import random

import pytest
import splink

from demo.fictional import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from marac.models import Marac
from people import linkage_model
from people.models import MatchModel


def synthetic_records(count: int, *, seed: int = 7) -> list[linkage_model.PersonRecord]:
    """Obviously fictional people, a few recorded twice with a slip, so training sees some true pairs."""
    rng = random.Random(seed)
    records = []
    for number in range(count):
        male = rng.random() < 0.5
        born = datetime.date(1955, 1, 1) + datetime.timedelta(days=rng.randrange(18_000))
        records.append(
            linkage_model.PersonRecord(
                unique_id=f"s{number}",
                given_name=rng.choice(MALE_GIVEN_NAMES if male else FEMALE_GIVEN_NAMES),
                family_name=rng.choice(FAMILY_NAMES),
                date_of_birth=born,
                gender="male" if male else "female",
                postcodes=(
                    f"NB{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRST')}",
                ),
            )
        )
    for number, original in enumerate(records[: count // 5]):
        records.append(
            linkage_model.PersonRecord(
                unique_id=f"d{number}",
                given_name=original.given_name,
                family_name=original.family_name[:-1] + "e",
                date_of_birth=original.date_of_birth,
                gender=original.gender,
                postcodes=original.postcodes,
            )
        )
    return records


@pytest.fixture(scope="session")
def trained_model() -> dict:
    return linkage_model.train_model(synthetic_records(60))


def save_model(marac: Marac, model: dict, *, version: int = 1) -> MatchModel:
    MatchModel.objects.filter(marac=marac, is_current=True).update(is_current=False)
    return MatchModel.objects.create(
        marac=marac,
        version=version,
        trained_at=datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC),
        record_count=72,
        model=model,
        format_version=linkage_model.MODEL_FORMAT_VERSION,
        splink_version=splink.__version__,
    )


@pytest.fixture
def match_model(marac: Marac, trained_model: dict) -> MatchModel:
    """Northbrook's current matching model."""
    return save_model(marac, trained_model)
