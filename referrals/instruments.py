"""The risk checklists OpenMARAC ships: its own plain paraphrase of each question, clearly labelled as such.

The official DASH wording is copyrighted; a MARAC holding a licence loads it as a new version with
`manage.py instrument_load`, and referrals already answered keep the version they were answered on."""

PARAPHRASE_NOTE = (
    "OpenMARAC's own plain-English paraphrase of the checklist's questions, not the official wording. "
    "Use the official checklist's guidance when asking them."
)

DASH_PARAPHRASE = [
    "Was the victim hurt in the latest incident?",
    "Is the victim very frightened?",
    "Is the victim afraid of further harm, of being killed, or for someone else's safety?",
    "Is the victim cut off from family or friends, or kept from seeing them?",
    "Is the victim low, depressed or having thoughts of suicide?",
    "Has the victim left, or tried to leave, the abuser in the last twelve months?",
    "Is there conflict over contact with children?",
    "Does the abuser keep contacting, following, watching or harassing the victim?",
    "Is the victim pregnant, or has she had a baby in the last eighteen months?",
    "Is the abuse happening more often than before?",
    "Is the abuse getting worse?",
    "Does the abuser try to control what the victim does, or show extreme jealousy?",
    "Has the abuser used a weapon or an object to hurt the victim?",
    "Has the abuser threatened to kill the victim or anyone else?",
    "Has the abuser ever choked, strangled, suffocated or tried to drown the victim?",
    "Does the abuser force or pressure the victim sexually, or sexually degrade them?",
    "Is someone else threatening the victim, or is the victim afraid of someone else?",
    "Does the victim know of the abuser hurting anyone else (children, relatives, former partners)?",
    "Has the abuser hurt or mistreated a pet or other animal?",
    "Are there money problems, or does the abuser control the money?",
    "Has the abuser had problems with drugs, alcohol or mental health in the last year?",
    "Has the abuser threatened or tried to take their own life?",
    "Has the abuser broken bail, an injunction or another agreement about contact?",
    "Is the abuser known to have a criminal record, for violence or anything else?",
]

YOUNG_PEOPLE_PARAPHRASE = [
    "Were you hurt in the latest incident?",
    "Are you very frightened?",
    "Are you afraid of being hurt again, of being killed, or for someone else's safety?",
    "Are you being kept away from friends, family or school?",
    "Are you feeling low, depressed or thinking about suicide?",
    "Have you ended, or tried to end, the relationship in the last twelve months?",
    "Is there conflict about children you share?",
    "Do they keep messaging, following, watching or tracking you, online or offline?",
    "Are you pregnant, or have you had a baby in the last eighteen months?",
    "Is it happening more often than before?",
    "Is it getting worse?",
    "Do they try to control who you see, what you wear or what you do, or get extremely jealous?",
    "Have they used a weapon or an object to hurt you?",
    "Have they threatened to kill you or anyone else?",
    "Have they ever choked, strangled or suffocated you?",
    "Do they pressure or force you into sexual things, or share sexual images of you?",
    "Is anyone else threatening you, or are you afraid of anyone else?",
    "Do you know of them hurting anyone else?",
    "Have they hurt or mistreated a pet or other animal?",
    "Do they take or control your money, or make you get money for them?",
    "Have they had problems with drugs, alcohol or mental health in the last year?",
    "Have they threatened or tried to take their own life?",
    "Have they broken bail, an injunction or another agreement about contact?",
    "Do they have a criminal record, or are they involved with gangs or exploitation?",
]


def as_questions(texts: list[str]) -> list[dict[str, object]]:
    return [{"number": number, "text": text} for number, text in enumerate(texts, start=1)]


SHIPPED = [
    ("dash_ric", "DASH risk indicator checklist (paraphrase)", DASH_PARAPHRASE),
    ("young_peoples_dash", "Young People's DASH risk checklist (paraphrase)", YOUNG_PEOPLE_PARAPHRASE),
]
