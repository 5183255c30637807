"""Who a must-read is for, and who acknowledged it, by department."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef

from feeds.models import Announcement, PostView, Reader


@dataclass(frozen=True)
class ReaderLine:
    """One person a must-read is for, as the acknowledgement page and the
    CSV list them."""

    user_id: int
    name: str
    email: str
    department: str
    acknowledged_at: Any
    seen: bool


@dataclass(frozen=True)
class DepartmentLine:
    """Reach and acknowledgement of an announcement in one department."""

    name: str
    expected: int
    seen: int
    acknowledged: int


@dataclass
class AcknowledgementReport:
    readers: list[ReaderLine]

    @property
    def expected(self) -> int:
        return len(self.readers)

    @property
    def acknowledged(self) -> list[ReaderLine]:
        return [r for r in self.readers if r.acknowledged_at is not None]

    @property
    def pending(self) -> list[ReaderLine]:
        return [r for r in self.readers if r.acknowledged_at is None]

    @property
    def departments(self) -> list[DepartmentLine]:
        by_name: dict[str, list[ReaderLine]] = {}
        for reader in self.readers:
            by_name.setdefault(reader.department, []).append(reader)
        return [
            DepartmentLine(
                name,
                len(lines),
                sum(r.seen for r in lines),
                sum(r.acknowledged_at is not None for r in lines),
            )
            for name, lines in sorted(by_name.items())
        ]


NO_DEPARTMENT = "No department"


def acknowledgement_report(announcement: Announcement) -> AcknowledgementReport:
    """Everyone an announcement is for, by department then name, with
    whether they saw and acknowledged it: one query, however many."""
    saw = PostView.objects.filter(
        post_id=announcement.post_id or 0, user_id=OuterRef("user_id")
    )
    rows = (
        Reader.objects.filter(announcement=announcement)
        .annotate(saw=Exists(saw))
        .order_by("user__department__name", "user__first_name", "user__last_name")
        .values_list(
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "user__department__name",
            "acknowledged_at",
            "saw",
        )
    )
    return AcknowledgementReport(
        [
            ReaderLine(
                pk,
                f"{first} {last}".strip() or email,
                email,
                department or NO_DEPARTMENT,
                acknowledged_at,
                saw,
            )
            for pk, first, last, email, department, acknowledged_at, saw in rows
        ]
    )
