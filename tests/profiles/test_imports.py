"""HR imports the organisation's facts about people from CSV."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from intranet.errors import ServiceError
from profiles import roles
from profiles.imports import import_org_fields
from profiles.models import User


@pytest.fixture
def hr(db):
    person = User.objects.create_user("hana@canteen.test", first_name="Hana")
    roles.grant([person], roles.HR)
    return User.objects.get(pk=person.pk)


CSV = "".join(
    f"{line}\n"
    for line in [
        "email,external_id,title,department,team,manager_email,start_date",
        "alice@canteen.test,E-1,Staff Engineer,customer support,"
        "Realtime,carol@canteen.test,2024-03-01",
        "BOB@canteen.test,,,,,,",
        "nobody@canteen.test,,CEO,,,,",
        "carol@canteen.test,,,Nowhere,,,",
        "carol@canteen.test,,,,,,yesterday",
        "carol@canteen.test,,,,,alice@canteen.test,",
    ]
)


def test_an_import_updates_org_fields_and_reports_bad_rows(hr, alice, bob, carol):
    result = import_org_fields(hr, CSV)
    assert result.problems == [
        "line 4: nobody active is nobody@canteen.test.",
        "line 5: no department 'Nowhere'.",
        "line 6: 'yesterday' is not a date (YYYY-MM-DD).",
        "line 7: Carol Cruz cannot report to Alice Adams: "
        "Alice Adams already reports to them.",
    ]
    assert (result.updated, result.unchanged) == (1, 1)
    alice.refresh_from_db()
    assert (alice.title, alice.team, alice.manager, alice.external_id) == (
        "Staff Engineer",
        "Realtime",
        carol,
        "E-1",
    )
    assert alice.department == carol.department
    assert alice.start_date == datetime.date(2024, 3, 1)
    # Found by external_id now; the same file again changes nothing.
    again = import_org_fields(hr, CSV)
    assert (again.updated, again.unchanged) == (0, 2)
    renamed = import_org_fields(hr, "external_id,title\nE-1,Principal Engineer\n")
    assert renamed.updated == 1
    alice.refresh_from_db()
    assert alice.title == "Principal Engineer"


def test_only_hr_imports_and_the_header_must_hold(hr, alice):
    with pytest.raises(ServiceError) as caught:
        import_org_fields(alice, CSV)
    assert caught.value.status == 403
    with pytest.raises(ServiceError, match="The header must name"):
        import_org_fields(hr, "title\nCEO\n")
    with pytest.raises(ServiceError, match="not bio"):
        import_org_fields(hr, "email,bio\nalice@canteen.test,hi\n")


def test_the_command_imports_a_file(hr, alice, carol, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text("email,team\nalice@canteen.test,Sockets\n", encoding="utf-8")
    call_command("import_people", str(path), "--as", hr.email)
    assert "Updated 1, unchanged 0, refused 0." in capsys.readouterr().out
    alice.refresh_from_db()
    assert alice.team == "Sockets"
    with pytest.raises(CommandError, match="Only HR"):
        call_command("import_people", str(path), "--as", alice.email)
