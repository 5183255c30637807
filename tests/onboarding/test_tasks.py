"""My tasks and tasks made from posts and messages: every open task a
person owns whatever their part, one-click done, the nav link, and
"Make this a task" only from what the maker (and the assignee) can read,
over the service, the pages and REST."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feeds import services as feeds
from intranet.errors import ServiceError
from intranet.models import Notification
from messaging import services as messaging
from onboarding import nav, selectors, services
from onboarding.models import Task
from tests.feeds.test_api import Browser

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def garden(alice, bob):
    """A secret space alice and bob are in; carol cannot read it."""
    space = feeds.create_space(alice, name="Gardening", visibility="secret")
    feeds.add_members(alice, space_id=space.pk, user_ids=[bob.pk])
    return space


@pytest.fixture
def post(alice, garden):
    made, _ = feeds.create_post(
        alice, space_id=garden.pk, body="Order the seeds", client_id="p1"
    )
    return made


@pytest.fixture
def message(alice, bob):
    conversation = messaging.get_or_create_direct(alice, other_id=bob.pk)
    sent, _ = messaging.send_message(
        alice,
        conversation_id=conversation.pk,
        body="Can you send the slides?",
        client_id=str(uuid.uuid4()),
    )
    return sent


def test_my_tasks_gathers_every_open_task_i_own_late_first(
    bob, dan, hana, nina, enrollment, today, post, alice
):
    services.create_task(
        alice, title="Seeds", assignee=bob, due_date=today, post_id=post.pk
    )
    mine = selectors.my_tasks(bob, today)
    # bob is nina's manager: the 1:1 (day 2, due today) and the review;
    # and the task from alice's post, due today too.
    assert [t.title for t in mine.groups["today"]] == ["First 1:1", "Seeds"]
    assert [t.title for t in mine.groups["later"]] == ["Ninety-day review"]
    assert [t.title for t in selectors.my_tasks(hana, today).groups["late"]] == [
        "Laptop ready"
    ]
    assert selectors.my_tasks(dan, today).count == 1  # the buddy's coffee
    with CaptureQueriesContext(connection) as queries:
        selectors.my_tasks(bob, today)
    assert len(queries) == 1


def test_a_task_from_a_post_for_me_or_someone_who_can_read_it(
    alice, bob, carol, post, today
):
    task = services.create_task(
        bob, title="  Order   the seeds ", assignee=bob, due_date=today, post_id=post.pk
    )
    assert task.title == "Order the seeds" and task.post == post
    assert task.created_by == bob
    assert selectors.source_url(task) == post.get_absolute_url()
    given = services.create_task(
        bob, title="Water", assignee=alice, due_date=today, post_id=post.pk
    )
    told = Notification.objects.get(user=alice, kind="task")
    assert told.url == f"/tasks/#task-{given.pk}"
    # carol cannot read the post: not for her, and not by her.
    with pytest.raises(ServiceError, match="cannot read that post") as refused:
        services.create_task(
            bob, title="x", assignee=carol, due_date=today, post_id=post.pk
        )
    assert refused.value.status == 403
    with pytest.raises(ServiceError, match="No such post") as hidden:
        services.create_task(
            carol, title="x", assignee=carol, due_date=today, post_id=post.pk
        )
    assert hidden.value.status == 404
    for bad, sentence in (
        ({"title": " "}, "cannot be empty"),
        ({"title": "x" * 201}, "at most 200"),
        ({"due_date": today - datetime.timedelta(days=2)}, "due today or later"),
        ({"post_id": None}, "one post or one message"),
    ):
        kwargs = {"title": "x", "assignee": bob, "due_date": today, "post_id": post.pk}
        with pytest.raises(ServiceError, match=sentence):
            services.create_task(bob, **{**kwargs, **bad})


def test_a_task_from_a_message_only_for_its_conversation(
    alice, bob, carol, message, today
):
    task = services.create_task(
        bob, title="Slides", assignee=alice, due_date=today, message_id=message.pk
    )
    assert selectors.source_url(task) == (
        f"/messages/{message.conversation_id}/m/{message.pk}/"
    )
    with pytest.raises(ServiceError, match="No such message"):
        services.create_task(
            carol, title="x", assignee=carol, due_date=today, message_id=message.pk
        )
    with pytest.raises(ServiceError, match="cannot read that message"):
        services.create_task(
            bob, title="x", assignee=carol, due_date=today, message_id=message.pk
        )


def test_the_pages_make_list_and_complete_tasks_without_javascript(
    client, alice, bob, carol, post, message, today
):
    client.force_login(bob)
    page = client.get(f"/tasks/new/?post={post.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Order the seeds" in html and 'for="id_due_date"' in html
    made = client.post(
        "/tasks/new/",
        {"post": post.pk, "title": "Order seeds", "due_date": today.isoformat()},
    )
    assert made.status_code == 302 and made["Location"] == "/tasks/"
    refused = client.post(
        "/tasks/new/",
        {
            "message": message.pk,
            "title": "Slides",
            "assignee_email": carol.email,
            "due_date": today.isoformat(),
        },
    )
    assert refused.status_code == 400
    assert "cannot read that message" in refused.content.decode()
    listing = client.get("/tasks/")
    html = listing.content.decode()
    assert "Due today" in html and "Order seeds" in html and "Open the post" in html
    assert client.session[nav.SESSION_KEY]["tasks"] is True
    assert 'href="/tasks/"' in html  # in the nav
    task = Task.objects.get(title="Order seeds")
    done = client.post(
        f"/onboarding/tasks/{task.pk}/done/", {"done": "1", "next": "tasks"}
    )
    assert done["Location"] == "/tasks/"
    task.refresh_from_db()
    assert task.is_done and task.done_by == bob
    assert client.get("/tasks/").context["mine"].count == 0
    client.force_login(carol)
    assert client.get(f"/tasks/new/?post={post.pk}").status_code == 404
    assert client.get(f"/tasks/new/?message={message.pk}").status_code == 404
    assert client.get("/tasks/new/").status_code == 404
    assert client.post(f"/onboarding/tasks/{task.pk}/done/").status_code == 404


def test_make_this_a_task_is_offered_on_a_post_and_a_message(
    client, alice, bob, post, message
):
    client.force_login(bob)
    assert (
        f"/tasks/new/?post={post.pk}"
        in client.get(post.get_absolute_url()).content.decode()
    )
    conversation = client.get(f"/messages/{message.conversation_id}/")
    assert f"/tasks/new/?message={message.pk}" in conversation.content.decode()


def test_tasks_over_rest(alice, bob, carol, post, today):
    answer = Browser(bob).call(
        "POST",
        "/tasks",
        {"title": "Seeds", "due_date": today.isoformat(), "post": post.pk},
    )
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["assignee"]["id"] == bob.pk
    assert data["source"] == post.get_absolute_url()
    assert data["enrollment"] is None and data["state"] == "due"
    mine = Browser(bob).get("/tasks").json()
    assert [t["title"] for t in mine] == ["Seeds"]
    assert Browser(carol).get("/tasks").json() == []
    hidden = Browser(carol).call(
        "POST",
        "/tasks",
        {"title": "x", "due_date": today.isoformat(), "post": post.pk},
    )
    assert hidden.status_code == 404
    not_theirs = Browser(bob).call(
        "POST",
        "/tasks",
        {
            "title": "x",
            "due_date": today.isoformat(),
            "post": post.pk,
            "assignee": carol.pk,
        },
    )
    assert not_theirs.status_code == 403
    assert "cannot read" in not_theirs.json()["error"]
    bad = Browser(bob).call("POST", "/tasks", {"title": "x", "due_date": "soon"})
    assert bad.status_code in (400, 422)
