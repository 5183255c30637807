"""The one rule for finding people by name, on every path that finds them."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from profiles.matching import fold
from profiles.models import User
from profiles.selectors import directory_page, people_matching
from profiles.services import update_profile

# (what people type, what is stored): each must find the other.
EXAMPLES = [
    ("alicia", "Alícia"),
    ("ALÍCIA", "alicia"),
    ("giess", "Gieß"),
    ("GIESS", "GIEẞ"),
    ("lukasz", "Łukasz"),
    ("orsted", "Ørsted"),
    ("zoe", "Zoë"),
    ("aeron", "Æron"),
    ("francois", "François"),
]
FOLD_JS = Path(__file__).parents[2] / "frontend/static/frontend/js/fold.js"


@pytest.mark.parametrize(("typed", "stored"), EXAMPLES)
def test_fold_makes_what_people_type_and_the_name_alike(typed, stored):
    assert fold(typed) in fold(stored)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_browser_folds_by_the_same_rule():
    words = [w for pair in EXAMPLES for w in pair] + ["Ærøskøbing Straße"]
    script = (
        f"import('{FOLD_JS.as_uri()}').then(m => console.log(JSON.stringify("
        f"{json.dumps(words)}.map(m.fold))))"
    )
    run = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == [fold(w) for w in words]


@pytest.fixture
def alicia(db):
    return User.objects.create_user(
        "a.sousa@canteen.test",
        first_name="Alícia",
        last_name="Sousa",
        title="Staff Engineer",
    )


@pytest.fixture
def giess(db):
    return User.objects.create_user(
        "t.giess@canteen.test",
        first_name="Tobias",
        last_name="Gieß",
        title="Lagerleiter",
    )


def test_people_are_found_without_their_accents_and_case(alicia, giess):
    def found(query):
        return list(people_matching(query))

    assert found("alicia") == [alicia]
    assert found("ALICIA sousa") == [alicia]
    assert found("Alícia") == [alicia]
    assert found("giess") == [giess]
    assert found("gieß") == [giess]
    assert found("GIESS tob") == [giess]
    assert found("a.sousa@canteen") == [alicia]
    assert found("T.GIESS@") == [giess]
    assert found("engineer") == [alicia]
    assert found("alicia giess") == []


def test_a_renamed_person_is_found_by_the_new_name_only(alicia):
    alicia.first_name = "Zoë"
    alicia.save(update_fields=["first_name"])
    assert list(people_matching("zoe sousa")) == [alicia]
    assert list(people_matching("alicia")) == []


def test_skills_are_found_by_the_same_rule(alicia, giess):
    update_profile(
        alicia, person_id=alicia.pk, changes={"skills": ["Café Ops", "Python"]}
    )
    assert list(people_matching("cafe")) == [alicia]
    assert list(people_matching("PYTHON alicia")) == [alicia]
    # A save of her own fields keeps the skills in her key.
    alicia.title = "Principal Engineer"
    alicia.save()
    assert list(people_matching("python principal")) == [alicia]
    update_profile(alicia, person_id=alicia.pk, changes={"skills": []})
    assert list(people_matching("python")) == []


def test_the_directory_and_the_pickers_find_alike(client, alicia, giess):
    client.force_login(giess)
    assert [p.pk for p in directory_page("alicia", limit=10).people] == [alicia.pk]
    page = client.get("/people/", {"q": "alicia"})
    assert "Alícia Sousa" in page.content.decode()
    api = client.get("/api/v1/people", {"q": "alicia"}).json()
    assert [p["id"] for p in api] == [alicia.pk]
    picker = client.get("/messages/new/", {"q": "alicia"}).content.decode()
    assert "Alícia Sousa" in picker
    client.force_login(alicia)
    picker = client.get("/messages/new/", {"q": "giess"}).content.decode()
    assert "Tobias Gieß" in picker
    # The picker's rows carry the key the browser filters by.
    assert 'data-key="tobias giess t.giess@canteen.test lagerleiter"' in picker


def test_the_migration_fills_the_key_for_people_who_exist(alicia):
    from importlib import import_module

    from django.apps import apps

    User.objects.filter(pk=alicia.pk).update(search_key="")
    import_module("profiles.migrations.0005_fill_search_key").fill(apps, None)
    assert User.objects.get(pk=alicia.pk).search_key == alicia.search_key
    assert list(people_matching("alicia")) == [alicia]
