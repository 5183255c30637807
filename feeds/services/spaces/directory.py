"""Spaces the directory keeps: each department's team, and the company."""

from django.db import transaction

from feeds.models import Space, SpaceMember
from feeds.services.spaces.membership import _add, _remove, lock_space
from profiles.models import User


def company_space() -> Space | None:
    return Space.objects.filter(kind=Space.Kind.COMPANY).order_by("pk").first()


def sync_person(user: User) -> None:
    """Keep `user` in their department's team space and the company-wide
    space, and out of other teams (and out of everything once they leave
    the company). Called when a person is saved."""
    wanted: set[int] = set()
    if user.is_active:
        team = (
            Space.objects.filter(
                kind=Space.Kind.TEAM, department_id=user.department_id
            ).first()
            if user.department_id
            else None
        )
        company = company_space()
        wanted = {s.pk for s in (team, company) if s is not None}
    current = set(
        SpaceMember.objects.filter(
            user=user, space__kind__in=[Space.Kind.TEAM, Space.Kind.COMPANY]
        ).values_list("space_id", flat=True)
    )
    if wanted == current and user.is_active:
        return
    with transaction.atomic():
        for space_id in sorted(wanted - current):
            _add(lock_space(space_id), [user])
        for space_id in sorted(current - wanted):
            _remove(lock_space(space_id), [user.pk])
        if not user.is_active:
            for space_id in SpaceMember.objects.filter(user=user).values_list(
                "space_id", flat=True
            ):
                _remove(lock_space(space_id), [user.pk])
