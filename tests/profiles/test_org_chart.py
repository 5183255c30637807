"""The org chart: a person's chain up to the top and their reports."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.factories import UserFactory
from profiles.models import User
from profiles.org import management_chain


@pytest.fixture
def company(alice, bob, carol):
    """ceo ← carol ← bob ← alice, and dan reports to bob too."""
    ceo = UserFactory.create(first_name="Cleo", last_name="Chief", title="CEO")
    User.objects.filter(pk=carol.pk).update(manager=ceo)
    User.objects.filter(pk=bob.pk).update(manager=carol)
    dan = UserFactory.create(first_name="Dan", last_name="Dale", manager=bob)
    return {"ceo": ceo, "carol": carol, "bob": bob, "alice": alice, "dan": dan}


def test_the_chain_goes_up_to_the_top(company):
    chain = management_chain(company["alice"])
    assert chain == [company["bob"], company["carol"], company["ceo"]]
    assert management_chain(company["ceo"]) == []


def test_a_loop_in_the_data_ends_the_chain(company):
    # An import or the admin could make one; update_profile refuses it.
    User.objects.filter(pk=company["ceo"].pk).update(manager=company["alice"])
    alice = User.objects.get(pk=company["alice"].pk)
    assert management_chain(alice) == [
        company["bob"],
        company["carol"],
        company["ceo"],
    ]
    User.objects.filter(pk=company["ceo"].pk).update(manager=company["ceo"])
    assert management_chain(User.objects.get(pk=company["ceo"].pk)) == []


def test_the_page_is_a_nested_tree_of_links(client, company):
    client.force_login(company["alice"])
    response = client.get(f"/people/{company['bob'].pk}/org/")
    assert response.status_code == 200
    page = response.content.decode()
    html = page[page.index('class="org-tree"') :]
    order = [html.index(name) for name in ("Cleo Chief", "Carol Cruz", "Bob Brown")]
    assert order == sorted(order)
    # Bob's reports nest under him, one list deeper than he is.
    bob_at = html.index('aria-current="page"')
    assert html.index("Alice Adams") > bob_at and html.index("Dan Dale") > bob_at
    assert html.count("<ul>") == 4  # ceo, carol, bob, bob's reports
    assert f'href="/people/{company["ceo"].pk}/org/"' in html
    assert client.get("/people/999999/org/").status_code == 404


def test_the_org_chart_over_rest(client, company):
    client.force_login(company["dan"])
    body = client.get(f"/api/v1/people/{company['alice'].pk}/org").json()
    assert [p["display_name"] for p in body["chain"]] == [
        "Cleo Chief",
        "Carol Cruz",
        "Bob Brown",
    ]
    assert body["person"]["id"] == company["alice"].pk
    assert body["reports"] == []
    body = client.get(f"/api/v1/people/{company['bob'].pk}/org").json()
    assert [p["display_name"] for p in body["reports"]] == ["Alice Adams", "Dan Dale"]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_chain_costs_the_same_queries_at_any_depth(client, company):
    client.force_login(company["dan"])
    url = f"/api/v1/people/{company['alice'].pk}/org"
    shallow = _queries(client, url)
    top = company["ceo"]
    for n in range(8):  # eight more levels above the CEO
        boss = UserFactory.create(first_name=f"Boss{n}", last_name="Above")
        User.objects.filter(pk=top.pk).update(manager=boss)
        top = boss
    assert len(client.get(url).json()["chain"]) == 11
    assert _queries(client, url) == shallow
    # The page too.
    assert _queries(client, f"/people/{company['alice'].pk}/org/") == _queries(
        client, f"/people/{company['ceo'].pk}/org/"
    )


def test_a_deactivated_manager_ends_the_chain(company):
    User.objects.filter(pk=company["carol"].pk).update(is_active=False)
    alice = User.objects.get(pk=company["alice"].pk)
    assert management_chain(alice) == [company["bob"]]
