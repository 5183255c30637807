"""Importing new starters from CSV: the page, the command, bad rows by line
number, and the same file twice."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from onboarding import imports
from onboarding.models import Enrollment, Task
from profiles.models import User

pytestmark = pytest.mark.django_db(transaction=False)

HEADER = (
    "email,first_name,last_name,title,department,manager_email,start_date,"
    "time_zone,location,buddy_email\n"
)


def csv_of(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


@pytest.fixture
def good(today):
    start = (today + datetime.timedelta(days=3)).isoformat()
    return csv_of(
        f"Ola.Berg@canteen.test,Ola,Berg,Designer,Engineering,bob@canteen.test,"
        f"{start},Europe/Oslo,Oslo,dan@canteen.test",
        f"pia@canteen.test,Pia,Park,Analyst,customer-support,,{start},,Seoul,",
    )


@pytest.fixture
def bad(good, today):
    return good + "".join(
        row + "\n"
        for row in (
            "not-an-email,A,B,,Engineering,,2026-12-07,,,",
            "pia@canteen.test,Pia,Again,,Engineering,,2026-12-07,,,",
            "q@canteen.test,,Quinn,,Engineering,,2026-12-07,,,",
            "r@canteen.test,Rae,Ray,,Marketing,,2026-12-07,,,",
            "s@canteen.test,Sol,Sun,,Engineering,nobody@canteen.test,2026-12-07,,,",
            "t@canteen.test,Tia,Tan,,Engineering,,07/12/2026,,,",
            "u@canteen.test,Uma,Ung,,Engineering,,2026-12-07,Mars/Base,,",
            "v@canteen.test,Vic,Vo,,Engineering,v@canteen.test,2026-12-07,,,",
            "carol@canteen.test,Carol,Cruz,,Customer Support,,2026-12-07,,,",
        )
    )


def test_a_valid_file_creates_people_and_enrolls_them_once(
    hana, bob, dan, journey, good
):
    result = imports.import_starters(hana, text=good, journey=journey)
    assert result.bad == []
    assert (result.created, result.enrolled) == (2, 2)
    ola = User.objects.get(email="ola.berg@canteen.test")
    assert (ola.first_name, ola.title, str(ola.department)) == (
        "Ola",
        "Designer",
        "Engineering",
    )
    assert ola.manager == bob and ola.time_zone == "Europe/Oslo"
    assert Enrollment.objects.get(person=ola).buddy == dan
    pia = User.objects.get(email="pia@canteen.test")
    assert str(pia.department) == "Customer Support" and pia.time_zone == "UTC"
    assert pia.start_date == ola.start_date
    # The same file again changes nothing.
    counts = (User.objects.count(), Enrollment.objects.count(), Task.objects.count())
    again = imports.import_starters(hana, text=good, journey=journey)
    assert (again.created, again.updated, again.enrolled, again.unchanged) == (
        0,
        0,
        0,
        2,
    )
    assert counts == (
        User.objects.count(),
        Enrollment.objects.count(),
        Task.objects.count(),
    )


def test_each_bad_row_is_reported_by_line_and_the_good_ones_imported(
    hana, bob, carol, dan, journey, bad
):
    # carol is on a journey already: the service refuses her row.
    other = journey.__class__.objects.create(name="Returners", kind="returner")
    Enrollment.objects.create(
        person=carol, journey=other, start_date=datetime.date(2026, 1, 5)
    )
    result = imports.import_starters(hana, text=bad, journey=journey)
    assert result.enrolled == 2
    assert [(b.line, b.reason) for b in result.bad] == [
        (4, "not-an-email is not an email address"),
        (5, "pia@canteen.test is on line 3 already"),
        (6, "a first and a last name are needed"),
        (7, "there is no department called Marketing"),
        (8, "no one works here with the manager's email nobody@canteen.test"),
        (9, "start_date 07/12/2026 is not a date like 2026-12-07"),
        (10, "Mars/Base is not a time zone like Europe/Lisbon"),
        (11, "a person cannot be their own manager"),
        (12, "Carol Cruz is already on a journey (Returners, from 5 January 2026)."),
    ]
    assert not User.objects.filter(email__in=["q@canteen.test", "r@canteen.test"])


def test_a_file_that_is_not_a_list_of_starters_is_refused(hana, journey):
    for text, message in (
        ("name,email\nA,a@b.c\n", "missing: first_name"),
        ("", "missing: email"),
    ):
        with pytest.raises(imports.ImportError_, match=message):
            imports.import_starters(hana, text=text, journey=journey)
    with pytest.raises(imports.ImportError_, match="UTF-8"):
        imports.decode(b"\xff\xfe\x00bad")


def test_only_hr_imports(bob, journey, good):
    with pytest.raises(imports.ServiceError, match="Only HR"):
        imports.import_starters(bob, text=good, journey=journey)
    assert not Enrollment.objects.exists()


def test_the_page_imports_and_lists_bad_rows(client, hana, bob, dan, journey, bad):
    client.force_login(bob)
    assert client.get("/onboarding/import/").status_code == 403
    client.force_login(hana)
    page = client.get("/onboarding/import/")
    assert page.status_code == 200
    upload = SimpleUploadedFile("starters.csv", bad.encode(), "text/csv")
    answer = client.post("/onboarding/import/", {"file": upload, "journey": journey.pk})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Line 4: not-an-email is not an email address" in html
    assert "Line 7: there is no department called Marketing" in html
    assert Enrollment.objects.count() == 3  # ola, pia and carol
    junk = SimpleUploadedFile("x.csv", b"\xff\xfe\x00", "text/csv")
    answer = client.post("/onboarding/import/", {"file": junk, "journey": journey.pk})
    assert answer.status_code == 400
    assert "not UTF-8" in answer.content.decode()


def test_the_command_imports_with_a_progress_bar_and_prints_bad_rows(
    hana, bob, dan, journey, bad, tmp_path
):
    path = tmp_path / "starters.csv"
    path.write_text(bad)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_starters", str(path), stdout=out, stderr=err)
    assert "2 new, 0 updated, 3 enrolled, 1 unchanged, 8 bad rows" in out.getvalue()
    assert "Line 7: there is no department called Marketing" in err.getvalue()
    out = io.StringIO()
    call_command("import_starters", str(path), stdout=out, stderr=io.StringIO())
    assert "0 new, 0 updated, 0 enrolled, 3 unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_starters", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="No journey called"):
        call_command("import_starters", str(path), journey="Nope")
    with pytest.raises(CommandError, match="not in HR"):
        call_command("import_starters", str(path), **{"hr": "carol@canteen.test"})
