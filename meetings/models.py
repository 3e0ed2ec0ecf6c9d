"""MARAC meetings. The referral issue needs their dates for listing; the conference issue builds the rest."""

from django.db import models


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
        kind = "Emergency meeting" if self.is_emergency else "Meeting"
        return f"{kind} {self.starts_at:%Y-%m-%d %H:%M}"
