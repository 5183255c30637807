"""intranet.links gives what reverse() gives, for any id a route takes."""

import pytest
from django.urls import reverse, set_script_prefix

from intranet.links import link, slug_link


@pytest.mark.parametrize("pk", [1, 7, 42, 918273645546372819, 10**18, 2**63 - 1])
@pytest.mark.parametrize("name", ["feeds:post", "feeds:react", "feeds:delete_comment"])
def test_a_link_is_what_reverse_gives(name, pk):
    assert link(name, pk) == reverse(name, args=[pk])


def test_a_link_follows_the_script_prefix():
    try:
        set_script_prefix("/canteen/")
        assert link("feeds:post", 5) == reverse("feeds:post", args=[5])
        assert link("feeds:post", 5).startswith("/canteen/")
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("ids", [(1, 2), (42, 7), (2**63 - 1, 1)])
def test_a_link_with_two_ids_is_what_reverse_gives(ids):
    assert link("messaging:permalink", *ids) == reverse("messaging:permalink", args=ids)


@pytest.mark.parametrize("slug", ["people-team", "a", "x_1", "918273645546372819"])
def test_a_slug_link_is_what_reverse_gives(slug):
    assert slug_link("feeds:space", slug) == reverse("feeds:space", args=[slug])
