"""Every role and what it may do, declared once. Nothing is allowed unless a line here allows it.

Object-level checks go through the `rules` library: `user.has_perm("cases.view_case", case)`.
A permission checked without an object asks "may this user do this anywhere?"; with an object
(anything with a `marac_id`, or a MARAC itself) it asks "may this user do this at that object's MARAC?".
docs/permissions.md is generated from PERMISSIONS by `manage.py permissions_doc`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rules

from accounts.models import Role

# The roles that work with case data at their MARAC (DOMAIN.md "Who uses it").
CASE_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REPRESENTATIVE, Role.IDVA})


@dataclass(frozen=True)
class Permission:
    name: str
    description: str
    roles: frozenset[Role]
    # "own referral" permissions let a referrer see what they referred, whichever MARAC it went to.
    own_referrals: bool = False


PERMISSIONS: tuple[Permission, ...] = (
    Permission("cases.list_cases", "See the list of cases at a MARAC", CASE_ROLES),
    Permission("cases.view_case", "Open a case at a MARAC", CASE_ROLES, own_referrals=True),
    Permission("people.view_person", "Open a person's record at a MARAC", CASE_ROLES),
    Permission(
        "people.view_confidential_address",
        "See an address marked confidential (a refuge, where a victim has fled to)",
        frozenset({Role.COORDINATOR, Role.IDVA}),
    ),
    Permission("audit.view_audit", "See and filter the audit trail of a MARAC", frozenset({Role.COORDINATOR})),
    Permission(
        "reports.view_aggregates",
        "See counts and indicators, never a person",
        frozenset({Role.BOARD_VIEWER, Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "reports.submit_meeting_return",
        "Download the SafeLives meeting-level return with exact counts, to submit it to SafeLives (never to publish)",
        frozenset({Role.COORDINATOR}),
    ),
    Permission(
        "reports.record_quality",
        "Record quality assurance: action plan reviews, feedback, audits, improvement plans, board report commentary",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "marac.change_configuration",
        "Change a MARAC's settings, agencies and population figures",
        frozenset({Role.ADMINISTRATOR}),
    ),
    Permission(
        "marac.view_configuration",
        "See a MARAC's settings and agencies",
        frozenset({Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission("meetings.view_agenda", "See a meeting's agenda and case list at a MARAC", CASE_ROLES),
    Permission(
        "meetings.manage_agenda",
        "Order the agenda, decide information-only listings, hold cases over or take them off the agenda, call "
        "emergency meetings",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "meetings.release_case_list", "Release the case list to the representatives", frozenset({Role.COORDINATOR})
    ),
    Permission(
        "meetings.record_research",
        "Record your agency's research on a listed case (the IDVA also records the victim's voice)",
        frozenset({Role.AGENCY_REPRESENTATIVE, Role.IDVA, Role.COORDINATOR}),
    ),
    Permission(
        "meetings.view_research_grid",
        "See which agencies have researched which cases",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "meetings.manage_attendance",
        "Keep the register, approve observers",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "meetings.run_meeting",
        "Run the meeting: one case at a time, minutes, outcomes",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "actions.record_action",
        "Record the actions agencies volunteer at the meeting",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "actions.update_agency_actions",
        "See your agency's open actions and mark them done or not possible",
        frozenset({Role.AGENCY_REPRESENTATIVE, Role.IDVA, Role.COORDINATOR}),
    ),
    Permission(
        "actions.track_actions",
        "See every open action at a MARAC, chase and escalate them",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "actions.resolve_actions",
        "Resolve what an agency cannot complete: pass the action on, reopen it or close it as not completed",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission("actions.reopen_done_actions", "Reopen an action marked done by mistake", frozenset({Role.COORDINATOR})),
    Permission(
        "meetings.export_family_record",
        "Export the minutes and actions for one family, for an agency's own file",
        frozenset({Role.COORDINATOR, Role.AGENCY_REPRESENTATIVE}),
    ),
    Permission(
        "cases.restrict_case",
        "Restrict a case to named users (for example when someone in it works for a partner agency)",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "cases.correct_party",
        "Move someone on a case off a person record they were wrongly matched to (to a new or another record)",
        frozenset({Role.COORDINATOR}),
    ),
    Permission(
        "audit.view_record_access", "See who has seen a case or a person's record", frozenset({Role.COORDINATOR})
    ),
    Permission(
        "cases.place_legal_hold",
        "Place or lift a legal hold (a domestic homicide review, court proceedings)",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "governance.manage_retention",
        "See the retention report and run retention for a MARAC",
        frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
    ),
    Permission(
        "governance.subject_access",
        "Export everything held on one person, third parties redacted",
        frozenset({Role.COORDINATOR}),
    ),
    Permission(
        "governance.manage_records",
        "Keep the complaints, breaches, disclosure requests, agreement, induction and review registers",
        frozenset({Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "governance.decide_disclosure",
        "Decide a request for disclosure or a complaint as chair",
        frozenset({Role.CHAIR}),
    ),
    Permission("accounts.manage_users", "Add users and grant or remove roles", frozenset({Role.ADMINISTRATOR})),
    Permission(
        "accounts.view_role_grants",
        "See every role held at a MARAC, the administrator role included, and who granted it and when",
        frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
    ),
    Permission(
        "accounts.approve_case_roles",
        "Approve a case role (coordinator, chair, agency representative, IDVA) that an administrator granted to a"
        " person at a MARAC, unless you granted it or it is your own, or refuse it: it gives no access until approved",
        frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
    ),
    Permission(
        "accounts.revoke_case_roles",
        "Remove a case role (coordinator, chair, agency representative, IDVA) at a MARAC, whoever granted it; never"
        " the administrator role, never your own",
        frozenset({Role.COORDINATOR}),
    ),
    Permission(
        "people.correct_person",
        "Correct a person's record: names, other names, date of birth, gender, ethnicity and addresses (UK GDPR"
        " Art. 16, rectification)",
        frozenset({Role.COORDINATOR}),
    ),
    Permission(
        "people.review_matches",
        "Confirm or reject likely-same-person suggestions, and train the MARAC's matching model",
        frozenset({Role.COORDINATOR}),
    ),
    Permission(
        "api.manage_credentials",
        "Issue and revoke an agency's API credentials for its own systems",
        frozenset({Role.ADMINISTRATOR}),
    ),
    Permission(
        "api.revoke_credentials",
        "See all of a MARAC's API credentials and revoke any of them at once, giving a reason (a partner system"
        " leaking data)",
        frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
    ),
    Permission(
        "api.approve_credentials",
        "See the API credentials that hold a case role, and approve one that someone else issued (it does not work"
        " until approved)",
        frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
    ),
    Permission(
        "imports.import_history",
        "Import an existing MARAC's history from a spreadsheet",
        frozenset({Role.ADMINISTRATOR, Role.COORDINATOR}),
    ),
    Permission(
        "referrals.make_referral",
        "Start, save and submit referrals, and follow the ones you made",
        frozenset({Role.REFERRER, Role.AGENCY_REPRESENTATIVE, Role.IDVA, Role.COORDINATOR, Role.CHAIR}),
    ),
    Permission(
        "referrals.decide",
        "See submitted referrals; accept, return or transfer them",
        frozenset({Role.COORDINATOR}),
    ),
    Permission(
        "referrals.manage_idva",
        "Allocate a named IDVA to a case, log contact attempts, record that the victim declined the IDVA service",
        frozenset({Role.COORDINATOR, Role.IDVA}),
    ),
    Permission(
        "referrals.confirm_children_notification",
        "Record that children's social care confirmed a notification (representatives of children's social care"
        " only; checked against the user's agency)",
        frozenset({Role.COORDINATOR, Role.AGENCY_REPRESENTATIVE}),
    ),
    Permission(
        "referrals.chase_children_notifications",
        "See the notifications to children's services not yet confirmed, and chase them",
        frozenset({Role.COORDINATOR}),
    ),
)
PERMISSIONS_BY_NAME = {permission.name: permission for permission in PERMISSIONS}


def roles_at(user: Any, marac_id: int | None) -> set[str]:
    """The roles a user holds at one MARAC, or at any MARAC when marac_id is None. Cached per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        cache, names = {}, {}
        # The grants are ordered by the MARAC's name, so the join is there anyway: the names come with them.
        for marac, role, name in user.role_grants.values_list("marac_id", "role", "marac__name"):
            cache.setdefault(marac, set()).add(role)
            names[marac] = name
        user._role_cache, user._marac_names = cache, names
    if marac_id is None:
        return set().union(*cache.values()) if cache else set()
    return set(cache.get(marac_id, set()))


def permissions_anywhere(user: Any) -> frozenset[str]:
    """The permissions `user.has_perm(name)` allows without an object ("anywhere"), all at once, from the roles
    already read for this request: for the header's links, rather than Django's backends and `rules` one name at
    a time. The same answers (accounts/tests/test_permissions_anywhere.py proves it for every combination of roles):
    an active superuser holds every permission, as Django's User.has_perm has it; anyone else, what
    `_predicate_for` allows with no object."""
    if getattr(user, "is_active", False) and getattr(user, "is_superuser", False):
        return frozenset(PERMISSIONS_BY_NAME)
    held = roles_at(user, None)
    referrer = Role.REFERRER in held
    return frozenset(
        permission.name
        for permission in PERMISSIONS
        if held & permission.roles or (permission.own_referrals and referrer)
    )


def marac_name(user: Any, marac_id: int) -> str | None:
    """The name of a MARAC where the user holds a role (read with the roles), else None."""
    roles_at(user, None)  # fills the cache
    return getattr(user, "_marac_names", {}).get(marac_id)


def marac_ids_where(user: Any, roles: Iterable[str]) -> set[int]:
    """The MARACs at which a user holds any of the given roles."""
    roles_at(user, None)  # fills the cache
    wanted = set(roles)
    return {marac for marac, held in getattr(user, "_role_cache", {}).items() if held & wanted}


def _marac_id_of(obj: Any) -> int | None:
    from marac.models import Marac

    if isinstance(obj, Marac):
        return obj.pk
    return getattr(obj, "marac_id", None)


def _predicate_for(permission: Permission) -> rules.Predicate:
    @rules.predicate(name=f"allowed:{permission.name}")
    def allowed(user: Any, obj: Any = None) -> bool:
        if obj is None:
            held = roles_at(user, None)
            return bool(held & permission.roles) or (permission.own_referrals and Role.REFERRER in held)
        if roles_at(user, _marac_id_of(obj)) & permission.roles:
            return True
        return permission.own_referrals and _is_own_referral(user, obj)

    return allowed


def _is_own_referral(user: Any, obj: Any) -> bool:
    if Role.REFERRER not in roles_at(user, None):
        return False
    return getattr(obj, "referred_by_id", None) == user.pk


def register() -> None:
    for permission in PERMISSIONS:
        if not rules.perm_exists(permission.name):
            rules.add_perm(permission.name, _predicate_for(permission))


def markdown_table() -> str:
    """docs/permissions.md: the role matrix, generated from PERMISSIONS."""
    roles = list(Role)
    header = "| permission | what it allows | " + " | ".join(role.label for role in roles) + " |"
    rule = "|" + " --- |" * (len(roles) + 2)
    lines = [
        "# Permissions",
        "",
        "Generated from `accounts/permissions.py` by `manage.py permissions_doc`; do not edit by hand.",
        "",
        "Every page and API route is refused unless a permission below allows it. A permission applies at",
        "the MARAC where the role is held: a coordinator at one MARAC sees nothing of another, and a record",
        "outside a user's need-to-know answers 404, so nobody learns that it exists.",
        "Administrators manage users and configuration and see no case unless another administrator gives them a",
        "case role: nobody grants or removes their own roles. An API credential that holds a case role works only",
        "once a coordinator or an administrator other than its issuer has approved it, and so does a case role that",
        "an administrator grants to a person.",
        "Board viewers see aggregates only.",
        "",
        header,
        rule,
    ]
    for permission in PERMISSIONS:
        cells = []
        for role in roles:
            if role in permission.roles:
                cells.append("yes")
            elif role == Role.REFERRER and permission.own_referrals:
                cells.append("own referrals")
            else:
                cells.append("")
        lines.append(f"| `{permission.name}` | {permission.description} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
