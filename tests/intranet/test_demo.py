import datetime

from django.core.management import call_command
from django.utils import timezone

from profiles import demo
from profiles.models import Department, User


def test_demo_company_is_a_realistic_organisation(db):
    call_command("demo_company", verbosity=0)

    people = list(User.objects.all())
    assert len(people) >= 60
    assert Department.objects.exclude(slug="leadership").count() >= 6
    assert len({p.time_zone for p in people}) >= 4
    assert all(p.title and p.department_id and p.location for p in people)
    assert len({p.email for p in people}) == len(people)

    # One root; every other person reaches it through managers, no cycles.
    by_id = {p.pk: p for p in people}
    roots = [p for p in people if p.manager_id is None]
    assert [r.title for r in roots] == ["Chief Executive Officer"]
    for person in people:
        seen = set()
        while person.manager_id is not None:
            assert person.pk not in seen
            seen.add(person.pk)
            person = by_id[person.manager_id]
        assert person == roots[0]
    assert any(len(p.reports.all()) >= 3 for p in people)

    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    starters = [p for p in people if p.start_date and p.start_date >= monday]
    assert len(starters) == 2

    login = User.objects.get(email=demo.DEMO_LOGIN)
    assert login.check_password("canteen-demo")


def test_demo_company_loads_once_and_scales(db, capsys):
    call_command("demo_company", size=300, verbosity=0)
    assert User.objects.count() == 300
    call_command("demo_company", verbosity=0)
    assert User.objects.count() == 300
    assert "already loaded" in capsys.readouterr().out
