"""Small-number suppression: a count from 1 to the threshold could identify someone, so it does not leave the
system and board viewers never see it. Zero is shown: it identifies nobody. It applies to counts of victims,
children and cases, never to staff counts or population figures. The one exact download is the SafeLives
meeting-level return the coordinator files with SafeLives (reports/views.py), marked not for publication."""

from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings

DEFAULT_THRESHOLD = 5


def suppression_threshold() -> int:
    return int(getattr(settings, "OPENMARAC_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


def is_small(count: float | None, threshold: int) -> bool:
    return count is not None and 1 <= count <= threshold


def count_text(count: int, threshold: int) -> str:
    """A count as shown where suppression applies: "<6" for 1-5 with the default threshold."""
    return f"<{threshold + 1}" if is_small(count, threshold) else str(count)


# --- Secondary suppression ----------------------------------------------------------------------------------
# A count withheld as "<6" is no protection if a reader can work it out from the counts shown beside it: a total
# with all its other parts (Combined 15 = MARAC A "<6" + MARAC B 12, so A is 3), or withheld parts whose sum can be
# made only one way (two withheld parts making 2 are both 1; two "<6" making 10 are both 5). This is the standard
# heuristic of statistical offices' table protection, not an exact search: work out the least and the most each
# withheld count could be from the additive groups (a total and its parts) and the counts shown, and wherever the
# two meet, withhold one more count beside it, or read the group's withheld counts as "suppressed" rather than
# "<6" where the 5 in "<6" is what pins them; then again, until nothing is pinned. Each round is a pass over the
# groups that hold a withheld count, with dictionaries keyed by count: no matrices, no fractions. The groups are
# declared in reports/partitions.py; the keys can be anything hashable, so the indicators (reports/report.py) and
# the meeting return (reports/exports.py) share it.

SUPPRESSED = "suppressed"
_NO_LIMIT = 10**18  # "no most" as an int, so the bounds stay exact integers
_LOOKS = 3  # how often a round looks at a group at most
_WIDE = 20  # parts: more than any column's partition (the agency types), fewer than a region's MARACs


@dataclass(frozen=True)
class AdditiveGroup[Key: Hashable]:
    """A total and the parts it is the sum of (exhaustive and exclusive), all counts of people or cases."""

    total: Key
    parts: tuple[Key, ...]


@dataclass(frozen=True)
class Withholding[Key: Hashable]:
    withheld: frozenset[Key]  # small counts (primary), and those withheld to protect them (secondary)
    secondary: frozenset[Key]
    # Withheld counts read as "suppressed", not "<6": the secondary ones, and every withheld count of a group with
    # a secondary one, or whose "<6" bounds would pin them; a reader then knows only that each is at least 1.
    unbounded: frozenset[Key]

    def shown_as(self, key: Key, threshold: int) -> str | None:
        """How a withheld count reads ("<6" or "suppressed"), or None where it is shown."""
        if key not in self.withheld:
            return None
        return SUPPRESSED if key in self.unbounded else f"<{threshold + 1}"

    def texts(self, threshold: int) -> dict[Key, str]:
        """How each withheld count reads, for looking up many at once."""
        return {key: SUPPRESSED if key in self.unbounded else f"<{threshold + 1}" for key in self.withheld}


def withhold[Key: Hashable](
    counts: Mapping[Key, int],
    groups: Iterable[AdditiveGroup[Key]],
    threshold: int,
    *,
    also: Iterable[Key] = (),
    fixed: Mapping[Key, str | None] | None = None,
) -> Withholding[Key]:
    """The counts to withhold: every count from 1 to the threshold, and those the groups need to protect them. A
    group with a member not in counts is left out: that member is never shown, so the group's sum always has an
    unknown in it. also: counts to withhold though not small, read "suppressed" (a count that would give away a small
    one no group declares), and protected by the groups as the small ones are. fixed: counts already shown, or
    withheld, elsewhere (a quarter's, for its months: reports.across_periods), with how each reads there (None:
    shown); they read so here too, whatever it costs the others: never withheld to protect one, a "<6" never lifted."""
    state = _State(counts, [group for group in groups if all(key in counts for key in _members(group))], threshold)
    for key, text in (fixed or {}).items():
        if key in counts:
            state.fix(key, text)
    for key in also:
        if key in counts and key not in state.withheld:
            state.withheld.add(key)
            state.secondary.add(key)
            state.unbounded.add(key)
    state.run()
    return Withholding(frozenset(state.withheld), frozenset(state.secondary), frozenset(state.unbounded))


def _members[Key: Hashable](group: AdditiveGroup[Key]) -> tuple[Key, ...]:
    return (group.total, *group.parts)


class _State[Key: Hashable]:
    def __init__(self, counts: Mapping[Key, int], groups: list[AdditiveGroup[Key]], threshold: int) -> None:
        self.counts, self.groups, self.threshold = counts, groups, threshold
        self.withheld = {key for key, count in counts.items() if is_small(count, threshold)}
        self.secondary: set[Key] = set()
        self.unbounded: set[Key] = set()
        self.opened: set[int] = set()  # groups whose withheld counts all read "suppressed"
        self.groups_of: dict[Key, list[int]] = {}
        for index, group in enumerate(groups):
            for key in _members(group):
                self.groups_of.setdefault(key, []).append(index)
        self.wide = {index for index, group in enumerate(groups) if len(group.parts) > _WIDE}
        self.fixed: set[Key] = set()

    def fix(self, key: Key, text: str | None) -> None:
        self.fixed.add(key)
        self.withheld.discard(key)
        if text is not None:
            self.withheld.add(key)
            if text == SUPPRESSED:
                self.unbounded.add(key)

    def run(self) -> None:
        for _ in range(len(self.counts) + len(self.groups) + 1):  # each round withholds a count or opens a group
            bounds = _Bounds(self)
            if not self._protect(bounds.pinned(), bounds.reason):
                return

    def _protect(self, pinned: list[Key], reason: dict[Key, int]) -> bool:
        """Protect each pinned count, one change around a count a round: the next round's bounds say whether it
        was enough. First lift the "<6" bounds of its groups; where they are lifted, withhold one more count.
        A wide group (a national report's sum over 300 MARACs) does not hold the others back: its counts are
        pinned one by one, by their own narrow groups, and a round for each was 457 rounds and 26 s."""
        touched: set[int] = set()
        changed = False
        for key in pinned:
            around = self.groups_of.get(key, [])
            narrow = [index for index in around if index not in self.wide]
            if touched.intersection(narrow):
                continue
            capped = [index for index in around if index not in self.opened and self._has_bounded(index)]
            for index in capped:
                self._open(index)
            another = None if capped else self._another(key, reason, around)
            if another is not None:
                self._withhold(another)
                touched.update(self.groups_of[another])
            if capped or another is not None:
                touched.update(narrow)
                changed = True
        return changed

    def _has_bounded(self, index: int) -> bool:
        return any(
            key in self.withheld and key not in self.unbounded and key not in self.fixed
            for key in _members(self.groups[index])
        )

    def _another(self, key: Key, reason: dict[Key, int], around: list[int]) -> Key | None:
        """The smallest non-zero count shown (a part, else the total) in the group that pinned the count; failing
        that, in the groups that pinned the other withheld counts of that group, and so on back along the chain
        of reasons; then in the count's other groups, those with the fewest withheld first; then in the nearest
        group reached through withheld counts. Zero is never withheld: it identifies nobody."""
        chain: list[int] = []
        next_groups = [reason[key]] if key in reason else []
        while next_groups:
            index = next_groups.pop(0)
            if index in chain:
                continue
            chain.append(index)
            next_groups += [
                reason[member]
                for member in _members(self.groups[index])
                if member in self.withheld and member != key and member in reason
            ]
        seen = set(chain)
        frontier = chain + sorted(set(around) - seen, key=self._weakness)
        seen |= set(around)
        while frontier:
            for totals_too in (False, True):  # a part anywhere along the way before a total
                for index in frontier:
                    if (found := self._smallest_shown(self.groups[index], totals_too=totals_too)) is not None:
                        return found
            reached = {
                other
                for index in frontier
                for member in _members(self.groups[index])
                if member in self.withheld
                for other in self.groups_of[member]
            }
            frontier = sorted(reached - seen, key=self._weakness)
            seen |= reached
        return None  # nothing left to withhold: only where a declared group does not add up

    def _smallest_shown(self, group: AdditiveGroup[Key], *, totals_too: bool) -> Key | None:
        shown = [
            part
            for part in group.parts
            if part not in self.withheld and part not in self.fixed and self.counts[part] > 0
        ]
        if shown:
            return min(shown, key=lambda part: self.counts[part])
        total = group.total
        if totals_too and total not in self.withheld and total not in self.fixed and self.counts[total] > 0:
            return total
        return None

    def _weakness(self, index: int) -> tuple[bool, int]:
        group = self.groups[index]
        withheld = sum(key in self.withheld for key in _members(group))
        return group.total in self.withheld, withheld

    def _withhold(self, key: Key) -> None:
        self.withheld.add(key)
        self.secondary.add(key)
        self.unbounded.add(key)
        for index in self.groups_of[key]:
            self._open(index)

    def _open(self, index: int) -> None:
        """Every withheld count of the group reads "suppressed", so a reader cannot bound them by 1 to 5 (but those
        fixed elsewhere, which read there as they do)."""
        self.opened.add(index)
        self.unbounded.update(
            key for key in _members(self.groups[index]) if key in self.withheld and key not in self.fixed
        )


class _Bounds[Key: Hashable]:
    """The least and the most each withheld count could be, as a reader works them out: at least 1, at most the
    threshold where it reads "<6", and each group's sum tightening its members' bounds from the others', group by
    group until none tightens (a worklist: a group is looked at again only when a member's bounds change)."""

    def __init__(self, state: _State[Key]) -> None:
        self.state = state
        self.least = {key: 1 for key in state.withheld}
        self.most = {key: _NO_LIMIT if key in state.unbounded else state.threshold for key in state.withheld}
        self.reason: dict[Key, int] = {}  # the group that last narrowed each count's bounds

    def pinned(self) -> list[Key]:
        """The withheld counts a reader could work out, in the order given (so the result does not vary)."""
        least, most = self.worked_out()
        return [key for key in self.state.counts if key in self.state.withheld and least[key] == most[key]]

    def worked_out(self) -> tuple[dict[Key, int], dict[Key, int]]:
        state = self.state
        # Within a round the shown counts do not change: each group's shown parts are summed once, and looking at
        # a group again costs only its withheld counts (few, even in a national report's 300-MARAC sums).
        self.hidden: dict[int, list[Key]] = {}
        self.shown_sum: dict[int, int] = {}
        for index, group in enumerate(state.groups):
            hidden = [part for part in group.parts if part in state.withheld]
            if hidden or group.total in state.withheld:
                self.hidden[index] = hidden
                self.shown_sum[index] = sum(state.counts[part] for part in group.parts if part not in state.withheld)
        queue = deque(self.hidden)
        queued = set(queue)
        looks = dict.fromkeys(queue, 0)
        while queue:
            index = queue.popleft()
            queued.discard(index)
            looks[index] += 1
            for key in self._tighten(index):
                for other in state.groups_of[key]:
                    # Bounds tighten by whole numbers: a few looks a group stop a long back-and-forth early.
                    if other not in queued and looks[other] < _LOOKS:
                        queue.append(other)
                        queued.add(other)
        return self.least, self.most

    def _tighten(self, index: int) -> list[Key]:
        group, hidden, least, most = self.state.groups[index], self.hidden[index], self.least, self.most
        lows, highs = [least[part] for part in hidden], [most[part] for part in hidden]
        parts_least, parts_most = self.shown_sum[index] + sum(lows), self.shown_sum[index] + sum(highs)
        changed = []
        if group.total in least:
            if self._narrow(group.total, parts_least, parts_most, index):
                changed.append(group.total)
            total_least, total_most = least[group.total], most[group.total]
        else:
            total_least = total_most = self.state.counts[group.total]
        for part, low, high in zip(hidden, lows, highs, strict=True):
            if self._narrow(part, total_least - (parts_most - high), total_most - (parts_least - low), index):
                changed.append(part)
        return changed

    def _narrow(self, key: Key, least: int, most: int, index: int) -> bool:
        if most > _NO_LIMIT // 2:
            most = _NO_LIMIT  # no limit less a few is still none: not worth looking at the count's groups again
        if least <= self.least[key] and most >= self.most[key]:
            return False
        self.least[key] = max(self.least[key], least)
        self.most[key] = min(self.most[key], most)
        self.reason[key] = index
        return True
