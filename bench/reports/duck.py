"""The limit: the same figures from hand-written DuckDB SQL over the Parquet export. One query for the indicators
(each MARAC and all of them combined, by GROUPING SETS) and one for the quarterly return (one row per meeting).
Written from the indicators' definitions (docs/indicators.md), not from the app's queries."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from marac.models import AgencyType

# The definitions' conditions, in SQL over the victim's row (v) and the case's facts.
AGE = (
    "year({on}) - year({born}) - CASE WHEN month({born}) * 100 + day({born}) > month({on}) * 100 + day({on}) "
    "THEN 1 ELSE 0 END"
)
MINORITISED = "('asian', 'black', 'mixed', 'other')"
CHILDREN_AGENCIES = "('childrens_social_care', 'education', 'early_years', 'youth_offending')"
ETHNIC_GROUPS = ("asian", "black", "mixed", "white", "other")
AGE_BANDS = {"16_17": (16, 17), "18_24": (18, 24), "25_34": (25, 34), "35_44": (35, 44), "45_54": (45, 54)}
AGE_BANDS_OPEN = {"55_plus": 55}

CONDITIONS = {
    "55_plus": "victim_age >= 55",
    "16_17": "victim_age BETWEEN 16 AND 17",
    "male": "gender = 'male'",
    "repeat": "is_repeat",
    "with_children": "children > 0",
    "recorded": (
        "ethnicity <> 'not_known' AND sexuality <> 'not_known' AND has_disability IS NOT NULL "
        "AND date_of_birth IS NOT NULL"
    ),
    "non_police": "agency_type <> 'police'",
    "bme": f"ethnicity IN {MINORITISED}",
    "lgbt": "(sexuality IN ('gay_or_lesbian', 'bisexual', 'other') OR coalesce(is_transgender, false))",
    "disability": "coalesce(has_disability, false)",
    "perpetrator_under_18": "young_perpetrators > 0",
    "csc": "agency_type = 'childrens_social_care'",
    "children_agencies": f"agency_type IN {CHILDREN_AGENCIES}",
    "ethnicity_known": "ethnicity <> 'not_known'",
    "aged_16_plus": "victim_age >= 16",
    **{f"ethnicity_{group}": f"ethnicity = '{group}'" for group in ETHNIC_GROUPS},
    **{f"age_{band}": f"victim_age BETWEEN {low} AND {high}" for band, (low, high) in AGE_BANDS.items()},
    **{f"age_{band}": f"victim_age >= {low}" for band, low in AGE_BANDS_OPEN.items()},
    **{f"from_{agency.value}": f"agency_type = '{agency.value}'" for agency in AgencyType},
}
HEARD_COUNTS = ("55_plus", "16_17", "male", "repeat", "with_children", "recorded")
REFERRED_COUNTS = tuple(key for key in CONDITIONS if key not in ("55_plus", "repeat", "with_children", "recorded"))


def _views(directory: Path) -> str:
    return "\n".join(
        f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM '{directory / table}.parquet';"  # noqa: S608
        for name, table in {
            "marac": "marac_marac",
            "agency": "marac_agency",
            "population": "marac_populationfigure",
            "person": "people_person",
            "cases": "cases_case",
            "party": "cases_caseparty",
            "meeting": "meetings_meeting",
            "listing": "meetings_listing",
        }.items()
    )


def indicators_sql(marac_ids: list[int], start: date, end: date, before_start: date, before_end: date) -> str:
    """Per MARAC (and combined: marac_id NULL) every count the compared indicators are made of."""
    ids = ", ".join(map(str, marac_ids))
    now = f"referred_on BETWEEN DATE '{start}' AND DATE '{end}'"
    before = f"referred_on BETWEEN DATE '{before_start}' AND DATE '{before_end}'"
    heard = f"heard_on BETWEEN DATE '{start}' AND DATE '{end}'"
    heard_before = f"heard_on BETWEEN DATE '{before_start}' AND DATE '{before_end}'"
    referred_counts = ",\n    ".join(
        f"count(*) FILTER (WHERE {now} AND {CONDITIONS[key]}) AS referred_{key}" for key in REFERRED_COUNTS
    )
    before_counts = ",\n    ".join(
        f"count(*) FILTER (WHERE {before} AND {CONDITIONS[key]}) AS before_{key}"
        for key in ("csc", "children_agencies")
    )
    heard_counts = ",\n    ".join(
        f"count(*) FILTER (WHERE {heard} AND {CONDITIONS[key]}) AS heard_{key}" for key in HEARD_COUNTS
    )
    meetings_from = f"TIMESTAMPTZ '{start} 00:00:00+00' - INTERVAL 2 HOUR"  # London is UTC or UTC+1: meetings are 9:30
    return f"""
WITH scoped AS (
  SELECT c.*, a.agency_type FROM cases c JOIN agency a ON a.id = c.referring_agency_id
  WHERE c.marac_id IN ({ids})
    AND (c.referred_on BETWEEN DATE '{before_start}' AND DATE '{end}'
         OR c.heard_on BETWEEN DATE '{before_start}' AND DATE '{end}')
),
parties AS (
  SELECT pa.case_id,
    count(*) FILTER (WHERE pa.role = 'child') AS children,
    count(*) FILTER (WHERE pa.role = 'perpetrator' AND {AGE.format(born="pp.date_of_birth", on="s.referred_on")} < 18)
      AS young_perpetrators
  FROM party pa JOIN scoped s ON s.id = pa.case_id JOIN person pp ON pp.id = pa.person_id
  GROUP BY pa.case_id
),
facts AS (
  SELECT s.id, s.marac_id, s.referred_on, s.heard_on, s.is_repeat, s.victim_pregnant, s.agency_type,
    v.gender, v.ethnicity, v.sexuality, v.is_transgender, v.has_disability, v.date_of_birth,
    {AGE.format(born="v.date_of_birth", on="s.referred_on")} AS victim_age,
    coalesce(p.children, 0) AS children, coalesce(p.young_perpetrators, 0) AS young_perpetrators
  FROM scoped s JOIN person v ON v.id = s.victim_id LEFT JOIN parties p ON p.case_id = s.id
),
by_cases AS (
  SELECT marac_id, grouping(marac_id) AS all_maracs,
    count(*) FILTER (WHERE {now}) AS referred,
    count(*) FILTER (WHERE {before}) AS referred_before,
    count(*) FILTER (WHERE {heard}) AS heard,
    count(*) FILTER (WHERE {heard_before}) AS heard_before,
    coalesce(sum(children) FILTER (WHERE {heard}), 0) AS heard_children,
    {referred_counts},
    {before_counts},
    {heard_counts}
  FROM facts GROUP BY GROUPING SETS ((marac_id), ())
),
discussed AS (
  SELECT m.marac_id, l.kind, l.outcome, l.vulnerable_adult, l.specific_actions_requested, l.referrer_disagrees,
    c.victim_pregnant, EXISTS (SELECT 1 FROM party k WHERE k.case_id = l.case_id AND k.role = 'child') AS has_children
  FROM listing l JOIN meeting m ON m.id = l.meeting_id JOIN cases c ON c.id = l.case_id
  WHERE m.marac_id IN ({ids}) AND m.starts_at >= {meetings_from}
    AND m.starts_at < TIMESTAMPTZ '{end + timedelta(days=1)} 00:00:00+00' - INTERVAL 2 HOUR
    AND coalesce(l.outcome, '') <> 'held_over'
),
by_listings AS (
  SELECT marac_id, grouping(marac_id) AS all_maracs,
    count(*) AS discussed,
    count(*) FILTER (WHERE kind = 'information_only') AS discussed_information_only,
    count(*) FILTER (WHERE kind = 'information_only' AND (has_children OR victim_pregnant OR vulnerable_adult
      OR specific_actions_requested OR referrer_disagrees)) AS information_only_against_the_rules,
    count(*) FILTER (WHERE outcome = 'transferred') AS discussed_transferred
  FROM discussed GROUP BY GROUPING SETS ((marac_id), ())
),
by_population AS (
  SELECT marac_id, grouping(marac_id) AS all_maracs, sum(adult_female_population) AS population
  FROM population WHERE marac_id IN ({ids}) AND year = {start.year}
  GROUP BY GROUPING SETS ((marac_id), ())
)
SELECT c.*, coalesce(l.discussed, 0) AS discussed,
  coalesce(l.discussed_information_only, 0) AS discussed_information_only,
  coalesce(l.information_only_against_the_rules, 0) AS information_only_against_the_rules,
  coalesce(l.discussed_transferred, 0) AS discussed_transferred,
  p.population
FROM by_cases c
LEFT JOIN by_listings l ON l.marac_id IS NOT DISTINCT FROM c.marac_id AND l.all_maracs = c.all_maracs
LEFT JOIN by_population p ON p.marac_id IS NOT DISTINCT FROM c.marac_id AND p.all_maracs = c.all_maracs
"""  # noqa: S608  built from integers, dates and our own constants


def meeting_return_sql(marac_ids: list[int], start: date, end: date) -> str:
    """One row per meeting held in the period: the SafeLives return's counts."""
    ids = ", ".join(map(str, marac_ids))
    agencies = ",\n    ".join(
        f"count(*) FILTER (WHERE agency_type = '{agency.value}') AS from_{agency.value}" for agency in AgencyType
    )
    return f"""
WITH discussed AS (
  SELECT l.meeting_id, mk.name AS marac, m.starts_at, l.kind, c.is_repeat, c.victim_pregnant, a.agency_type,
    v.gender, v.ethnicity, v.sexuality, v.is_transgender, v.has_disability,
    {AGE.format(born="v.date_of_birth", on="c.referred_on")} AS victim_age,
    (SELECT count(*) FROM party k WHERE k.case_id = c.id AND k.role = 'child') AS children,
    EXISTS (SELECT 1 FROM party pa JOIN person pp ON pp.id = pa.person_id
            WHERE pa.case_id = c.id AND pa.role = 'perpetrator'
              AND {AGE.format(born="pp.date_of_birth", on="c.referred_on")} < 18) AS perpetrator_under_18
  FROM listing l JOIN meeting m ON m.id = l.meeting_id JOIN marac mk ON mk.id = m.marac_id
    JOIN cases c ON c.id = l.case_id JOIN person v ON v.id = c.victim_id JOIN agency a ON a.id = c.referring_agency_id
  WHERE m.marac_id IN ({ids}) AND m.starts_at >= TIMESTAMPTZ '{start} 00:00:00+00' - INTERVAL 2 HOUR
    AND m.starts_at < TIMESTAMPTZ '{end + timedelta(days=1)} 00:00:00+00' - INTERVAL 2 HOUR
    AND coalesce(l.outcome, '') <> 'held_over'
)
SELECT meeting_id, marac, CAST(starts_at AS DATE) AS held_on,  -- in UTC: a 9:30 meeting's day in London too
    count(*) AS cases,
    count(*) FILTER (WHERE is_repeat) AS repeats,
    count(*) FILTER (WHERE kind = 'information_only') AS information_only,
    count(*) FILTER (WHERE {CONDITIONS["bme"]}) AS bme,
    count(*) FILTER (WHERE {CONDITIONS["lgbt"]}) AS lgbt,
    count(*) FILTER (WHERE has_disability) AS disability,
    count(*) FILTER (WHERE gender = 'male') AS male,
    count(*) FILTER (WHERE victim_age BETWEEN 16 AND 17) AS aged_16_17,
    count(*) FILTER (WHERE perpetrator_under_18) AS perpetrator_under_18,
    count(*) FILTER (WHERE victim_pregnant) AS pregnant,
    sum(children) AS children,
    {agencies}
FROM discussed GROUP BY meeting_id, marac, held_on ORDER BY held_on, marac
"""  # noqa: S608  built from integers, dates and our own constants


def connect(directory: Path) -> Any:
    import duckdb

    connection = duckdb.connect()
    connection.execute(_views(directory))
    return connection


def rows(connection: Any, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
