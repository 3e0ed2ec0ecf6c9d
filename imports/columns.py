"""The columns of an imported history, declared once: the rules read them, the page and docs/import.md list
them, and the downloadable template is made from them."""

from dataclasses import dataclass

CASES_SHEET = "Cases"
ACTIONS_SHEET = "Actions"

DATE_FORMATS = "a date: DD/MM/YYYY (31/01/2024) or YYYY-MM-DD (2024-01-31), or a date cell in Excel"
YES_NO = "yes or no (also y/n, true/false, 1/0)"


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    required: bool
    meaning: str
    accepted: str
    example: str


CASE_COLUMNS: tuple[Column, ...] = (
    Column(
        "reference",
        "Case reference",
        True,
        "Your own reference for the case, as in your case log. It becomes the case's reference in OpenMARAC and "
        "is how a second import of the same file recognises what it already brought in.",
        "up to 30 characters, unique in the file",
        "NB-2023-0412",
    ),
    Column("referred_on", "Referral date", True, "The day the referral reached the MARAC.", DATE_FORMATS, "03/04/2023"),
    Column(
        "heard_on",
        "Date heard",
        True,
        "The day of the meeting that heard the case. The meeting is added if OpenMARAC does not have it; a case "
        "heard on the day of a meeting run in OpenMARAC is refused (leave those rows out).",
        DATE_FORMATS + ", on or after the referral date, not in the future",
        "13/04/2023",
    ),
    Column(
        "referring_agency",
        "Referring agency",
        True,
        "The agency that referred. It must be an agency of this MARAC (Settings, agencies).",
        "the agency's name as in OpenMARAC, or its type (for example 'Police') where the MARAC has only one "
        "agency of that type",
        "Police",
    ),
    Column("victim_given_name", "Victim given name", False, "The victim's given name.", "text", "Fictionalia"),
    Column(
        "victim_family_name",
        "Victim family name",
        False,
        "The victim's family name. A victim needs a given name or a family name.",
        "text",
        "Imaginary",
    ),
    Column(
        "victim_date_of_birth",
        "Victim date of birth",
        False,
        "The victim's date of birth. With the name it is how the import finds a person OpenMARAC already holds.",
        DATE_FORMATS,
        "14/02/1989",
    ),
    Column(
        "victim_gender",
        "Victim gender",
        False,
        "The victim's gender.",
        "female, male, non-binary, other, not known (blank is not known)",
        "female",
    ),
    Column(
        "victim_ethnicity",
        "Victim ethnicity",
        False,
        "The victim's ethnic group (2021 census high-level groups).",
        "Asian, Black, Mixed, White, Other, not known (or the census wording, for example 'Asian or Asian "
        "British'; blank is not known)",
        "White",
    ),
    Column(
        "victim_disability",
        "Victim disability",
        False,
        "Whether the victim has a disability.",
        YES_NO + "; blank is not known",
        "no",
    ),
    Column(
        "victim_postcode",
        "Victim postcode",
        False,
        "The victim's postcode when referred. Kept encrypted, as a confidential address: the file does not say the "
        "perpetrator knows it. Where a victim has several, the latest is her current address.",
        "a UK postcode (NB1 2XY) or just its first half (NB1)",
        "NB1 2XY",
    ),
    Column(
        "perpetrator_given_name", "Perpetrator given name", False, "The perpetrator's given name.", "text", "Imaginario"
    ),
    Column(
        "perpetrator_family_name",
        "Perpetrator family name",
        False,
        "The perpetrator's family name. Leave every perpetrator column blank where no perpetrator is recorded.",
        "text",
        "Madeup",
    ),
    Column(
        "perpetrator_date_of_birth",
        "Perpetrator date of birth",
        False,
        "The perpetrator's date of birth.",
        DATE_FORMATS,
        "01/09/1985",
    ),
    Column("perpetrator_gender", "Perpetrator gender", False, "The perpetrator's gender.", "as for the victim", "male"),
    Column(
        "relationship",
        "Relationship",
        False,
        "The perpetrator's relationship to the victim. Kept with the import's record of the case (OpenMARAC keeps "
        "it on a referral, which an imported case does not have).",
        "intimate partner, ex-partner, adolescent to parent, other family member",
        "ex-partner",
    ),
    Column(
        "children",
        "Number of children",
        False,
        "Children in the household. Each becomes an unnamed child on the case, so the children's figures count them.",
        "a whole number from 0 to 20 (blank is 0)",
        "2",
    ),
    Column(
        "dash_score",
        "DASH score",
        False,
        "The number of yes answers on the risk checklist.",
        "a whole number from 0 to 24",
        "16",
    ),
    Column(
        "repeat",
        "Repeat",
        True,
        "Whether the case was a repeat under your MARAC's definition when it was heard. Taken as recorded: the "
        "import does not work it out again.",
        YES_NO,
        "no",
    ),
    Column(
        "information_only",
        "Information only",
        False,
        "Whether the case was heard for information only.",
        YES_NO + " (blank is no)",
        "no",
    ),
    Column(
        "outcome",
        "Outcome",
        False,
        "What the meeting decided for the case.",
        "review, closed, transferred (blank: not recorded)",
        "closed",
    ),
    Column(
        "idva_engaged",
        "IDVA engaged",
        False,
        "Whether the victim took up the IDVA service ('no' with an IDVA allocated date is recorded as the victim "
        "declining it after that day; without a date nothing is recorded, as the file does not say when).",
        YES_NO + " (blank: not recorded)",
        "yes",
    ),
    Column(
        "idva_allocated_on",
        "IDVA allocated date",
        False,
        "The day an IDVA was allocated. With it the case counts in 'IDVA allocated within 48 hours' (on time when "
        "allocated no later than two days after the referral date); without it the case is left out of that "
        "figure.",
        DATE_FORMATS + ", on or after the referral date",
        "04/04/2023",
    ),
)

ACTION_COLUMNS: tuple[Column, ...] = (
    Column(
        "case_reference",
        "Case reference",
        True,
        "The case the action belongs to: a reference on the Cases sheet, or of a case imported before.",
        "as on the Cases sheet",
        "NB-2023-0412",
    ),
    Column(
        "agency", "Agency", True, "The agency that volunteered the action.", "as for the referring agency", "Police"
    ),
    Column(
        "action",
        "Action",
        True,
        "What the agency agreed to do.",
        "text, up to 2,000 characters",
        "Flag and tag the victim's address",
    ),
    Column(
        "for_whom",
        "For whom",
        False,
        "Who the action is for.",
        "victim, children, perpetrator, someone else, staff safety (blank is victim)",
        "victim",
    ),
    Column("due_on", "Due date", True, "The day the action was due.", DATE_FORMATS, "20/04/2023"),
    Column(
        "status",
        "Status",
        True,
        "Where the action stands: 'cannot complete' where the agency said it could not complete it and nothing was "
        "decided yet, 'not completed' where the chair or coordinator then closed it as not completed.",
        "open, done, cannot complete, not completed",
        "done",
    ),
    Column(
        "completed_on",
        "Completed date",
        False,
        "The day the action was done (or found impossible, or closed as not completed). Needed for 'done' and 'not "
        "completed', and blank for 'open'.",
        DATE_FORMATS + ", not in the future",
        "18/04/2023",
    ),
    Column(
        "not_completed_reason",
        "Reason not completed",
        False,
        "Why the action was closed as not completed, as the chair or coordinator recorded it. Needed for 'not "
        "completed', and blank for any other status. The column may be left out of a file with no such action.",
        "text, up to 2,000 characters",
        "",
    ),
)

COLUMNS_BY_SHEET = {CASES_SHEET: CASE_COLUMNS, ACTIONS_SHEET: ACTION_COLUMNS}

# Other headings case logs commonly use for a column, each unambiguous (compared as rules.words compares headings:
# capitals, punctuation and spacing set aside). Only headings that can mean nothing else: "DOB" alone could be the
# victim's or the perpetrator's, so it is not here.
HEADING_ALIASES: dict[str, dict[str, str]] = {
    CASES_SHEET: {
        "victim dob": "victim_date_of_birth",
        "victim d o b": "victim_date_of_birth",
        "victim birth date": "victim_date_of_birth",
        "victim postcode": "victim_postcode",
        "postcode": "victim_postcode",
        "post code": "victim_postcode",
        "victim post code": "victim_postcode",
        "no of children": "children",
        "number of children": "children",
        "dash": "dash_score",
        "dash ric score": "dash_score",
        "dash risk score": "dash_score",
        "ric score": "dash_score",
        "perpetrator dob": "perpetrator_date_of_birth",
        "perpetrator d o b": "perpetrator_date_of_birth",
        "date referred": "referred_on",
        "date of referral": "referred_on",
        "date of marac": "heard_on",
        "marac date": "heard_on",
        "meeting date": "heard_on",
        "date idva allocated": "idva_allocated_on",
    },
    ACTIONS_SHEET: {
        "due": "due_on",
        "date due": "due_on",
        "date completed": "completed_on",
    },
}
