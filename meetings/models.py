"""MARAC meetings. The referral issue needs their dates for listing; the conference issue builds the rest."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from referrals.calendar import format_meeting_time


class Meeting(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    is_emergency = models.BooleanField(default=False)
    venue = models.CharField(max_length=200, blank=True)
    virtual_link = models.URLField(blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["marac", "starts_at"])]
        constraints = [models.UniqueConstraint(fields=["marac", "starts_at"], name="one_meeting_at_a_time")]

    def __str__(self) -> str:
        """As titles and headings write it, in London time: "Emergency MARAC on Wednesday 25 November 2026 at 14:00"."""
        kind = "Emergency MARAC" if self.is_emergency else "MARAC"
        # A naive time (an unsaved meeting) is already London time, as the forms read it.
        when = self.starts_at if timezone.is_aware(self.starts_at) else timezone.make_aware(self.starts_at)
        return f"{kind} on {format_meeting_time(when)}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class ListingKind(models.TextChoices):
    FULL = "full", "Full discussion"
    INFORMATION_ONLY = "information_only", "For information only"


class Outcome(models.TextChoices):
    REVIEW = "review", "Review at a later meeting"
    CLOSED = "closed", "Closed"
    TRANSFERRED = "transferred", "Transferred to another MARAC"
    HELD_OVER = "held_over", "Held over to the next meeting"


class MeetingState(models.Model):
    """What a meeting's day needs beyond its date: whether it is running, and when its case list went out."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="state")
    status = models.CharField(max_length=20, choices=MeetingStatus, default=MeetingStatus.SCHEDULED)
    case_list_released_at = models.DateTimeField(null=True, blank=True)
    action_summary_sent_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"State of meeting {self.meeting_id}"

    @property
    def marac_id(self) -> int:
        return self.meeting.marac_id


class Listing(models.Model):
    """A case on a meeting's agenda (BD Start/Finish Times; Cases for information only), and its minute."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="listings")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="listings")
    kind = models.CharField(max_length=20, choices=ListingKind, default=ListingKind.FULL)
    brought_forward = models.BooleanField(default=False, help_text="The chair brought this case forward.")
    emergency_item = models.BooleanField(
        default=False,
        help_text="Referred after the listing deadline but urgent and in time to be added as an emergency item "
        "(BD Deadlines), so the chair and coordinator can see it was added late.",
    )
    position = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Set when brought forward.")
    held_over_from = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="held_over_listings"
    )
    held_over_reason = models.CharField(max_length=500, blank=True)
    # Information-only listing is decided by the chair and the coordinator with the referrer (BD).
    information_only_decided_by_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    information_only_decided_by_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referrer_view = models.CharField(max_length=1000, blank=True)
    referrer_disagrees = models.BooleanField(default=False)
    specific_actions_requested = models.BooleanField(default=False)
    vulnerable_adult = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    risks_minute = models.TextField(blank=True)
    decisions_minute = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome, blank=True)
    # When the case was put on this meeting's agenda, by whatever path (accepted, held over, emergency), so a case added
    # after the case list went out is known (agenda_services.case_list_additions). Empty for listings made before.
    listed_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="case_once_per_meeting")]

    def __str__(self) -> str:
        return f"Case {self.case_id} at meeting {self.meeting_id}"

    @property
    def marac_id(self) -> int:
        return self.meeting.marac_id


class CaseListReceipt(models.Model):
    """Who received the case list for a meeting, and when they first opened it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="case_list_receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_receipt_per_person")]

    def __str__(self) -> str:
        return f"Case list receipt {self.pk}"


class CaseListRemoval(models.Model):
    """A case taken off a meeting's case list by deleting its listing (moved to an emergency MARAC), so that those
    who were sent the list are told it changed (agenda_services._list_changes). A case held over needs none: its
    listing stays, and the new one at the later meeting says when it left."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="case_list_removals")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    removed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Case {self.case_id} taken off the case list of meeting {self.meeting_id}"

    @property
    def marac_id(self) -> int:
        return self.meeting.marac_id


class ChildStatus(models.TextChoices):
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    LOOKED_AFTER = "looked_after", "Looked after"
    EARLY_HELP = "early_help", "Early help"
    NOT_KNOWN = "not_known", "Not known to children's social care"


class Research(models.Model):
    """What one agency knows about a listed case (BD Research; BED 5-6), or that it knows nothing."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="research")
    agency = models.ForeignKey("marac.Agency", on_delete=models.PROTECT, related_name="research")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    known_to_agency = models.BooleanField(default=True)
    is_written_submission = models.BooleanField(default=False)
    about_victim = models.TextField(blank=True)
    about_perpetrator = models.TextField(blank=True)
    about_children = models.TextField(blank=True)
    # Children's social care's own items (CAM 5.2).
    proceedings = models.TextField(blank=True)
    upcoming_conferences = models.TextField(blank=True)
    plan_support = models.TextField(blank=True)
    contact_arrangements = models.TextField(blank=True)
    non_abusing_parent_support = models.TextField(blank=True)
    abusing_parent_work = models.TextField(blank=True)
    collusion_concerns = models.TextField(blank=True)
    links_to_other_families = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "research"
        constraints = [models.UniqueConstraint(fields=["listing", "agency"], name="research_once_per_agency")]

    def __str__(self) -> str:
        return f"Research by agency {self.agency_id} for listing {self.listing_id}"

    @property
    def marac_id(self) -> int:
        return self.listing.meeting.marac_id


class ChildResearch(models.Model):
    """Children's social care's status for each child, which the boards' measures need."""

    research = models.ForeignKey(Research, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=30, choices=ChildStatus, default=ChildStatus.NOT_KNOWN)
    harmful_behaviour = models.BooleanField(
        default=False, help_text="A young person using harmful behaviour in a relationship or towards a parent."
    )
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["research", "child"], name="child_once_per_research")]

    def __str__(self) -> str:
        return f"Child {self.child_id} in research {self.research_id}"


class VictimVoice(models.Model):
    """The IDVA's account of the victim's views and wishes, and where sought, the child's voice."""

    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, related_name="victim_voice")
    victim_views = models.TextField(blank=True)
    child_voice = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Victim's voice for listing {self.listing_id}"


class AttendanceCapacity(models.TextChoices):
    REPRESENTATIVE = "representative", "Representative"
    DEPUTY = "deputy", "Deputy"
    WRITTEN_SUBMISSION = "written_submission", "Written submission only"
    OBSERVER = "observer", "Observer"


class Attendance(models.Model):
    """The register (BD The MARAC meeting; Observers): who came for which agency, and that they signed the
    confidentiality agreement for this meeting before any case detail was shown to them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey("marac.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    observer_name = models.CharField(max_length=150, blank=True)
    observer_organisation = models.CharField(max_length=150, blank=True)
    observer_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField(max_length=20, choices=AttendanceCapacity)
    present = models.BooleanField(default=True)
    confidentiality_signed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Attendance {self.pk} at meeting {self.meeting_id}"


class ProcessLinkKind(models.TextChoices):
    MAPPA = "mappa", "MAPPA"
    MASH = "mash", "MASH"
    CHILD_PROTECTION_CONFERENCE = "child_protection_conference", "Child protection conference"
    STRATEGY_MEETING = "strategy_meeting", "Strategy meeting"
    CSE_MACE = "cse_mace", "CSE or MACE panel"
    CLARES_LAW = "clares_law", "Clare's Law (DVDS) disclosure"
    SOMM = "somm", "Safeguarding offender management meeting"


class ProcessLink(models.Model):
    """A link from a case's discussion to another process (LSCB; BD)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="process_links")
    kind = models.CharField(max_length=40, choices=ProcessLinkKind)
    note = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} link for listing {self.listing_id}"


class MinuteAmendment(models.Model):
    """A correction to a case's minute after its meeting closed, as the next meeting agrees the previous minutes:
    the minute before and after, why, who and in which role. The listing holds the minute as amended; the earliest
    amendment's `*_before` is the minute as the meeting closed it, so nothing minuted is lost."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="minute_amendments")
    risks_before = models.TextField(blank=True)
    decisions_before = models.TextField(blank=True)
    risks_after = models.TextField(blank=True)
    decisions_after = models.TextField(blank=True)
    reason = models.CharField(max_length=500)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_as = models.CharField(max_length=30, help_text="The role they amended it in (accounts.models.Role).")
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amended_at", "id"]

    def __str__(self) -> str:
        return f"Minute amendment {self.pk} of listing {self.listing_id}"

    @property
    def marac_id(self) -> int:
        return self.listing.meeting.marac_id


class AgreementAfterClose(models.Model):
    """The confidentiality agreement signed after the meeting closed, by someone who was not on its register and
    signs to read its minutes (a representative catching up, a chair amending them). It lets them read the meeting's
    cases like a signature on the register does (confidentiality.has_signed), and is no part of the register: it
    never makes anyone present or gives apologies, so the register and the attendance figures stay as the meeting
    left them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agreements_after_close")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_agreement_after_close")]

    def __str__(self) -> str:
        return f"Agreement signed after meeting {self.meeting_id} closed"

    @property
    def marac_id(self) -> int:
        return self.meeting.marac_id
