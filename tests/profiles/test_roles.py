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
