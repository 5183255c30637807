"""HR and communicators are roles held through groups, not superuser rights."""

import pytest

from profiles import roles
from profiles.factories import UserFactory
from profiles.models import User

pytestmark = pytest.mark.django_db


def test_a_person_in_the_hr_group_runs_onboarding_and_announces():
    person = UserFactory.create()
    assert not roles.is_hr(person)
    assert not roles.can_announce(person)

    roles.grant([person], roles.HR)
    person = User.objects.get(pk=person.pk)  # has_perm caches

    assert roles.is_hr(person)
    assert roles.can_announce(person)
    assert roles.can_verify_sources(person)
    assert not person.is_superuser


def test_a_communicator_announces_but_does_not_run_onboarding():
    person = UserFactory.create()
    roles.grant([person], roles.COMMUNICATORS)
    person = User.objects.get(pk=person.pk)

    assert roles.can_announce(person)
    assert not roles.is_hr(person)
    assert not roles.can_verify_sources(person)


def test_a_deactivated_hr_person_holds_no_role():
    person = UserFactory.create()
    roles.grant([person], roles.HR)
    person.is_active = False
    person.save()
    person = User.objects.get(pk=person.pk)

    assert not roles.is_hr(person)


def test_a_flushed_database_gets_its_roles_back():
    """Browser tests flush the database; the roles come back with the
    permissions, as Django's own do (post_migrate)."""
    from django.contrib.auth.models import Group
    from django.core.management.sql import emit_post_migrate_signal

    Group.objects.all().delete()  # what a flush leaves
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    person = UserFactory.create()
    roles.grant([person], roles.HR)
    assert roles.is_hr(User.objects.get(pk=person.pk))


def test_holders_answers_as_has_perm_for_every_way_to_hold_a_role():
    from django.contrib.auth.models import Group, Permission

    by_group = UserFactory.create()
    roles.grant([by_group], roles.HR)
    direct = UserFactory.create()
    direct.user_permissions.add(Permission.objects.get(codename="manage_onboarding"))
    own_group = UserFactory.create()  # a company's own group with the permission
    group = Group.objects.create(name="People team")
    group.permissions.add(Permission.objects.get(codename="manage_onboarding"))
    own_group.groups.add(group)
    boss = UserFactory.create(is_superuser=True)
    communicator = UserFactory.create()
    roles.grant([communicator], roles.COMMUNICATORS)
    gone = UserFactory.create(is_superuser=True, is_active=False)
    nobody = UserFactory.create()
    everyone = [by_group, direct, own_group, boss, communicator, gone, nobody]
    expected = {
        p.pk
        for p in User.objects.filter(pk__in=[p.pk for p in everyone])
        if p.has_perm(roles.MANAGE_ONBOARDING)
    }
    assert expected == {by_group.pk, direct.pk, own_group.pk, boss.pk}
    assert roles.holders([p.pk for p in everyone], roles.MANAGE_ONBOARDING) == expected
    assert roles.holders([], roles.MANAGE_ONBOARDING) == set()
