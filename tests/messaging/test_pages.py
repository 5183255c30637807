"""Conversation pages: access, permalinks, the new-message picker."""

import re

from intranet.models import Event
from messaging import services
from messaging.models import Conversation
from profiles import presence

# An error flash is told apart from a success by its words and its class,
# not by colour alone.
FLASH_ERROR = re.compile(
    r'<li class="flash-error"><strong>Error:</strong> ([^<]*)</li>'
)


def flashed_error(response) -> str:
    """The text of the error flash on the page a form redirected to."""
    assert response.status_code == 200
    error = FLASH_ERROR.search(response.content.decode())
    assert error, "no error flash on the page"
    return error.group(1)


def send(user, conversation, body, client_id):
    return services.send_message(
        user, conversation_id=conversation.pk, body=body, client_id=client_id
    )[0]


def test_conversation_page_for_members_and_404_for_outsiders(
    client, alice, bob, carol, django_assert_max_num_queries
):
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    for n in range(3):
        send(bob, direct, f"hi {n}", f"c{n}")
    client.force_login(alice)
    # 21: four list the streams alice follows (one per app: chats, spaces
    # and people, journeys, HR's) and one
    # the events of them the page shows (data-seen), so the tab's first
    # sync is not sent them again; the sidebar's spaces and notifications
    # badge take one each.
    with django_assert_max_num_queries(21):
        response = client.get(f"/messages/{direct.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    seen = Event.objects.filter(stream=f"conversation.{direct.pk}").order_by("id")
    assert f'data-seen="{" ".join(str(e.pk) for e in seen)}"' in html
    assert "hi 2" in html
    assert "New messages" in html  # alice has not read bob's messages
    assert response.context["title"] == "Bob Brown"
    profile = (
        f'<a href="/people/{bob.pk}/">Profile'
        '<span class="visually-hidden"> of Bob Brown</span></a>'
    )
    assert profile in html
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    html = client.get(f"/messages/{direct.pk}/").content.decode()
    assert f'href="/people/{bob.pk}/"' not in html, "no link to a page that is gone"
    bob.is_active = True
    bob.save(update_fields=["is_active"])

    client.force_login(carol)
    assert client.get(f"/messages/{direct.pk}/").status_code == 404
    assert client.get("/messages/").status_code == 200
    assert "Bob Brown" not in client.get("/messages/").content.decode()


def test_permalink_highlights_the_message_in_context(client, alice, bob, carol):
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    messages = [send(alice, direct, f"m{n}", f"p{n}") for n in range(5)]
    client.force_login(bob)
    target = messages[2]
    response = client.get(f"/messages/{direct.pk}/m/{target.pk}/")
    assert response.status_code == 200
    assert response.context["highlight"] == target.pk
    assert f'id="m{target.pk}"' in response.content.decode()

    other = services.create_group(alice, title="Other", member_ids=[bob.pk])
    assert client.get(f"/messages/{other.pk}/m/{target.pk}/").status_code == 404
    client.force_login(carol)
    assert client.get(f"/messages/{direct.pk}/m/{target.pk}/").status_code == 404


def test_message_html_is_the_sanitised_rendering(client, alice, bob):
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    send(alice, direct, "<img src=x onerror=alert(1)> **ok**", "x")
    client.force_login(bob)
    html = client.get(f"/messages/{direct.pk}/").content.decode()
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; <strong>ok</strong>" in html


def test_new_message_picker_starts_direct_and_group_conversations(
    client, alice, bob, carol
):
    client.force_login(alice)
    page = client.get("/messages/new/", {"q": "bro"})
    assert [p.pk for p in page.context["people"]] == [bob.pk]

    response = client.post("/messages/new/", {"members": [bob.pk]})
    direct = Conversation.objects.get(kind="direct")
    assert response["Location"] == f"/messages/{direct.pk}/"
    client.post("/messages/new/", {"members": [bob.pk]})
    assert Conversation.objects.filter(kind="direct").count() == 1

    response = client.post(
        "/messages/new/", {"members": [bob.pk, carol.pk], "title": "Lunch"}
    )
    group = Conversation.objects.get(kind="group")
    assert response["Location"] == f"/messages/{group.pk}/"
    assert group.title == "Lunch"

    assert client.post("/messages/new/", {"members": []}).status_code == 400
    assert client.post("/messages/new/", {"members": ["999999"]}).status_code == 400


def test_message_button_and_leaving_a_group(client, alice, bob, carol):
    client.force_login(alice)
    response = client.post(f"/messages/with/{bob.pk}/")
    direct = Conversation.objects.get(kind="direct")
    assert response["Location"] == f"/messages/{direct.pk}/"
    assert client.get(f"/messages/with/{bob.pk}/").status_code == 405

    group = services.create_group(alice, title="Team", member_ids=[bob.pk, carol.pk])
    response = client.post(f"/messages/{group.pk}/leave/")
    assert response["Location"] == "/messages/"
    assert client.get(f"/messages/{group.pk}/").status_code == 404
    # A direct conversation cannot be left; the page says why.
    response = client.post(f"/messages/{direct.pk}/leave/", follow=True)
    assert "only leave group" in response.content.decode()


def test_pages_show_presence_mention_badges_and_whom_to_mention(
    client, alice, bob, carol, django_assert_max_num_queries
):
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    send(bob, direct, "Morning @**Alice Adams**", "m1")
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk, carol.pk])
    carol.first_name = "</script><b>Carol"
    carol.save()
    presence.mark_seen(bob.pk, active=True)
    client.force_login(alice)

    with django_assert_max_num_queries(7):
        inbox = client.get("/messages/").content.decode()
    direct_item = inbox[inbox.index(f'data-conversation-id="{direct.pk}"') :]
    direct_item = direct_item[: direct_item.index("</li>")]
    assert '<span class="mention-badge" data-mentions="1">' in direct_item
    assert (
        f'<span class="presence" data-presence-user="{bob.pk}" data-state="online" '
        'role="img" aria-label="online" title="Online"></span>'
    ) in direct_item
    group_item = inbox[inbox.index(f'data-conversation-id="{group.pk}"') :]
    group_item = group_item[: group_item.index("</li>")]
    assert 'data-mentions="0" hidden' in group_item
    assert "data-presence-user" not in group_item  # a group has no one peer

    # Whom the composer offers: the members, each with a title; markup in
    # a name stays text.
    response = client.get(f"/messages/{group.pk}/")
    offered = response.context["mention_people"]
    assert [p["id"] for p in offered] == [alice.pk, bob.pk, carol.pk]
    assert offered[1] == {
        "id": bob.pk,
        "name": "Bob Brown",
        "initials": "BB",
        "title": "Engineering Manager",
    }
    html = response.content.decode()
    assert '<script id="mention-people" type="application/json">' in html
    assert "</script><b>Carol" not in html
    # Dots beside everyone but alice; bob's is online, carol's offline.
    # In the header, the sidebar and the people dialog.
    assert html.count('class="presence"') == 2 + 1 + 2
    assert f'data-presence-user="{carol.pk}" data-state="offline"' in html

    # A deactivated member cannot be mentioned.
    carol.is_active = False
    carol.save()
    response = client.get(f"/messages/{group.pk}/")
    assert [p["id"] for p in response.context["mention_people"]] == [
        alice.pk,
        bob.pk,
    ]

    # Read, the badge is gone.
    services.mark_read(alice, conversation_id=direct.pk, message_id=10**9)
    inbox = client.get("/messages/").content.decode()
    assert (
        'data-mentions="0" hidden'
        in inbox[inbox.index(f'data-conversation-id="{direct.pk}"') :]
    )


def test_people_dialog_lists_members_and_its_form_adds_people(
    client, alice, bob, carol
):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    client.force_login(alice)
    html = client.get(f"/messages/{group.pk}/").content.decode()
    assert 'command="show-modal"' in html
    assert 'Alice Adams <span class="you">(you)</span>' in html
    assert f'action="/messages/with/{bob.pk}/"' in html
    # Carol is not in yet, so the picker offers her.
    assert f'id="add-people-{carol.pk}"' in html
    # A direct conversation stays two people: no dialog, no picker.
    assert "people-dialog" not in client.get(f"/messages/{direct.pk}/").content.decode()

    url = f"/messages/{group.pk}/people/"
    client.force_login(carol)
    assert client.post(url, {"members": [carol.pk]}).status_code == 404

    client.force_login(alice)
    errors = [
        (url, {}, "Choose someone to add."),
        (url, {"members": ["x"]}, "do not exist"),
        (url, {"members": [999_999]}, "do not exist"),
        (f"/messages/{direct.pk}/people/", {"members": [carol.pk]}, "Only group"),
    ]
    for path, data, text in errors:
        assert text in flashed_error(client.post(path, data, follow=True))
    assert group.memberships.count() == 2

    response = client.post(url, {"members": [carol.pk]})
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{group.pk}/"
    assert group.memberships.filter(user=carol).exists()
    assert client.get(f"/messages/{group.pk}/", follow=True).status_code == 200
    assert client.get(url).status_code == 405


def test_the_people_dialog_renames_a_group_without_js(client, alice, bob, carol):
    group = services.create_group(alice, title="Lunch", member_ids=[bob.pk])
    direct = services.get_or_create_direct(alice, other_id=bob.pk)
    url = f"/messages/{group.pk}/rename/"
    client.force_login(bob)
    html = client.get(f"/messages/{group.pk}/").content.decode()
    # The form is there for a browser without JS; people.js folds it away.
    assert f'<form method="post" action="{url}" id="rename-form"' in html
    assert '<label for="rename-name">Group name</label>' in html
    assert 'name="name" type="text" value="Lunch" maxlength="100"' in html

    client.force_login(carol)
    assert client.post(url, {"name": "Mine"}).status_code == 404

    client.force_login(bob)
    errors = [
        (url, {}, "Type a name for the group."),
        (url, {"name": "x" * 101}, "at most 100 characters"),
        (f"/messages/{direct.pk}/rename/", {"name": "Us"}, "cannot be renamed"),
    ]
    for path, data, text in errors:
        assert text in flashed_error(client.post(path, data, follow=True))
    group.refresh_from_db()
    assert group.title == "Lunch"

    response = client.post(url, {"name": " Friday <b>lunch</b> "})
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{group.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "The group is now called “Friday &lt;b&gt;lunch&lt;/b&gt;”." in html
    assert '<h1 id="chat-title">Friday &lt;b&gt;lunch&lt;/b&gt;</h1>' in html
    assert "<title>Friday &lt;b&gt;lunch&lt;/b&gt; · " in html

    # Empty: the group goes by its people again, for each of them.
    response = client.post(url, {"name": ""}, follow=True)
    assert "The group has no name now: it goes by its people." in (
        response.content.decode()
    )
    assert response.context["title"] == "Alice Adams"
    client.force_login(alice)
    assert client.get(f"/messages/{group.pk}/").context["title"] == "Bob Brown"
    assert client.get(url).status_code == 405
