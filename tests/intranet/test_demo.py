import datetime
import re
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from profiles import demo
from profiles.factories import DEMO_PASSWORD
from profiles.models import Department, User

README = Path(__file__).resolve().parents[2] / "README.md"


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


def readme_logins() -> dict[str, str]:
    """Return README.md's "Who to be" table: email -> who."""
    section = README.read_text().split("### Who to be", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([^`]+@[^`]+)` \| (.+) \|$", section, re.M))


def test_the_readme_logins_sign_in_as_who_it_says(db, capsys):
    call_command("demo_company", verbosity=0)
    logins = readme_logins()
    section = README.read_text().split("### Who to be", 1)[1]
    assert f"password `{DEMO_PASSWORD}`" in section
    assert list(logins) == [p.email for p in demo.PERSONAS]

    people = {
        p.email: p
        for p in User.objects.filter(email__in=logins).select_related("department")
    }
    assert all(person.check_password(DEMO_PASSWORD) for person in people.values())
    for persona in demo.PERSONAS:
        person = people[persona.email]
        assert logins[persona.email].startswith(f"{person.get_full_name()}, ")

    # HR, with the admin.
    alex = people[demo.HR.email]
    assert alex.department is not None
    assert (alex.department.name, alex.title) == ("People", "People Partner")
    assert alex.is_staff and alex.is_superuser
    # This week's new starter, in Lisbon, reporting to the employee.
    rita, sam = people[demo.NEW_STARTER.email], people[demo.EMPLOYEE.email]
    today = timezone.localdate()
    assert rita.start_date is not None
    assert today - datetime.timedelta(days=today.weekday()) <= rita.start_date
    assert (rita.title, rita.location) == ("Software Engineer", "Lisbon")
    assert rita.manager == sam
    assert sam.department is not None
    assert (sam.title, sam.department.name) == ("Engineering Manager", "Engineering")
    assert not (rita.is_staff or sam.is_staff)

    # `make run` prints the same logins.
    out = capsys.readouterr().out
    assert f"Every demo person's password is {DEMO_PASSWORD}." in out
    for email, who in logins.items():
        line = rf"^  {re.escape(email)} +{re.escape(who.replace('`', ''))}$"
        assert re.search(line, out, re.M), (line, out)
