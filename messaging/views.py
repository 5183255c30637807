"""Pages for conversations: parse, check access, call one service, render."""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intranet import plugins, sync
from intranet.errors import ServiceError
from intranet.validation import is_text, parse_id
from messaging import events, selectors, services
from messaging.forms import NewConversationForm, SearchForm
from messaging.models import Conversation
from profiles import presence
from profiles.models import User
from profiles.selectors import people_matching
from profiles.types import AuthedRequest

PEOPLE_PAGE = 50
QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "👀", "✅", "🙏"]


def _presence_of(summaries, *people: int) -> dict[int, presence.Status]:
    """Presence of the sidebar's direct contacts and `people`, for the
    first paint; the page polls for changes (frontend/js/presence.js)."""
    ids = [s.peer for s in summaries if s.peer is not None] + list(people)
    return presence.statuses(ids) if ids else {}


@require_GET
def inbox(request: AuthedRequest):
    summaries = selectors.conversation_summaries(request.user)
    return render(
        request,
        "messaging/inbox.html",
        {"summaries": summaries, "presence": _presence_of(summaries)},
    )


def _conversation_page(request: AuthedRequest, conversation_id: int, *, around=None):
    conversation = selectors.get_conversation_for_user(request.user, conversation_id)
    # The cursor is read before anything the page shows: an event committed
    # in between is then replayed by the tab's first sync instead of being
    # missed, and the events already committed below it (`seen`) are not.
    cursor = sync.latest_cursor()
    seen = sync.seen_cursors(plugins.streams_of(request.user.pk), cursor)
    (conversation,) = selectors.with_members(
        Conversation.objects.filter(pk=conversation.pk)
    )
    summaries = selectors.conversation_summaries(request.user)
    current = next(
        (s for s in summaries if s.conversation.pk == conversation.pk), None
    ) or selectors.summary_of(conversation, request.user)
    history = selectors.page_history(conversation, around=around)
    members = [m.user for m in conversation.memberships.all()]
    addable = []
    if conversation.kind == Conversation.Kind.GROUP:
        # The people dialog's picker lists a page of people; its search box
        # asks GET /api/v1/people for the rest (people-pick.js).
        addable = list(
            User.objects.filter(is_active=True)
            .exclude(pk__in=[u.pk for u in members])
            .select_related("department")[:PEOPLE_PAGE]
        )
    return render(
        request,
        "messaging/conversation.html",
        {
            "conversation": conversation,
            "title": current.title,
            "peer": current.peer,
            # A direct conversation's header links to the other person's
            # profile, while they have one (deactivated people have none).
            "peer_profile": next(
                (u.pk for u in members if u.pk == current.peer and u.is_active), None
            ),
            "members": members,
            "member_ids": " ".join(str(u.pk) for u in members),
            "addable": addable,
            # Whom the composer's @mention autocomplete offers: only members
            # become mentions (messaging.services.messages._render).
            "mention_people": [
                {**events.person(u), "title": u.title} for u in members if u.is_active
            ],
            "presence": _presence_of(summaries, *(u.pk for u in members)),
            "summaries": summaries,
            "history": history,
            "last_read_id": current.last_read_id,
            "highlight": around,
            "first_unread_id": next(
                (
                    m.pk
                    for m in history
                    if m.pk > current.last_read_id and m.sender_id != request.user.pk
                ),
                None,
            ),
            "cursor": cursor,
            "seen": " ".join(map(str, seen)),
            "quick_reactions": QUICK_REACTIONS,
            "max_attachment_bytes": settings.MAX_ATTACHMENT_BYTES,
            "has_older": bool(history)
            and conversation.messages.filter(
                id__lt=history[0].pk, thread_root__isnull=True
            ).exists(),
        },
    )


# The vendored emoji picker (frontend/static/frontend/vendor/) draws itself
# in a shadow root: one fixed <style> element, allowed by its hash (a new
# version of the picker needs the new hash: the browser tests fail on the
# violation), and style attributes for its layout (rows, the tab
# indicator). Style attributes cannot select or fetch anything, and the
# only HTML the page inserts from others is the sanitiser's, which keeps
# none; <style> elements and stylesheets stay 'self' or this hash.
EMOJI_PICKER_STYLE = "'sha256-rg2BpwZ4T9EADaas/dlxn0KsISPDXXIabE9pnJ++3UQ='"
View = TypeVar("View", bound=Callable[..., Any])


def emoji_picker_csp(view: View) -> View:
    """Let `view`'s page run the emoji picker under its policy."""
    allow = csp_update(
        {
            "style-src-elem": ["'self'", EMOJI_PICKER_STYLE],
            "style-src-attr": ["'unsafe-inline'"],
        }
    )
    return cast(View, allow(view))


@require_GET
@emoji_picker_csp
def conversation(request: AuthedRequest, conversation_id: int):
    return _conversation_page(request, conversation_id)


@require_GET
@emoji_picker_csp
def permalink(request: AuthedRequest, conversation_id: int, message_id: int):
    """Show a message in context, highlighted (a thread reply: its root)."""
    message = selectors.get_message_for_user(request.user, message_id)
    if message.conversation_id != conversation_id:
        raise Http404("No such message.")
    root_id = message.thread_root_id or message.pk
    return _conversation_page(request, conversation_id, around=root_id)


@require_http_methods(["GET", "POST"])
def new_conversation(request: AuthedRequest):
    """Pick people (searchable list) and start a direct or group chat."""
    query = request.GET.get("q", "").strip()
    bad_query = not is_text(query)
    if bad_query:
        query = ""
    people = people_matching(query).exclude(pk=request.user.pk)
    if request.method == "POST":
        chosen = [parse_id(c) for c in request.POST.getlist("members")]
        people = User.objects.filter(
            is_active=True, pk__in=[c for c in chosen if c is not None]
        )
    people = people.select_related("department")[:PEOPLE_PAGE]
    form = NewConversationForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        members = form.cleaned_data["members"]
        try:
            if len(members) == 1:
                conversation = services.get_or_create_direct(
                    request.user, other_id=members[0]
                )
            else:
                conversation = services.create_group(
                    request.user, title=form.cleaned_data["title"], member_ids=members
                )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("messaging:conversation", conversation.pk)
    status = 400 if request.method == "POST" or bad_query else 200
    return render(
        request,
        "messaging/new.html",
        {"form": form, "people": people, "query": query},
        status=status,
    )


@require_POST
def start_direct(request: AuthedRequest, user_id: int):
    try:
        conversation = services.get_or_create_direct(request.user, other_id=user_id)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect(reverse("messaging:new_conversation"))
    return redirect("messaging:conversation", conversation.pk)


@require_POST
def leave(request: AuthedRequest, conversation_id: int):
    try:
        services.leave_conversation(request.user, conversation_id=conversation_id)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect("messaging:conversation", conversation_id)
    flash.success(request, "You left the conversation.")
    return redirect("messaging:inbox")


@require_POST
def add_people(request: AuthedRequest, conversation_id: int):
    """Add the people ticked in the people dialog, then go back to the
    conversation. Without JS this is the dialog's form; with JS the dialog
    posts to the REST API, which calls the same service."""
    chosen = [parse_id(c) for c in request.POST.getlist("members")]
    try:
        if not chosen:
            raise ServiceError("invalid", "Choose someone to add.")
        member_ids = [c for c in chosen if c is not None]
        if len(member_ids) < len(chosen):
            raise ServiceError("unknown_person", "Some of those people do not exist.")
        services.add_members(
            request.user, conversation_id=conversation_id, member_ids=member_ids
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, "Added to the conversation.")
    return redirect("messaging:conversation", conversation_id)


@require_POST
def rename(request: AuthedRequest, conversation_id: int):
    """Rename a group from the people dialog's form, then go back to the
    conversation. With JS the form patches the REST API instead, which
    calls the same service."""
    try:
        if "name" not in request.POST:
            raise ServiceError("invalid", "Type a name for the group.")
        if not is_text(request.POST["name"]):
            raise ServiceError("invalid", "A name must be text without NUL characters.")
        conversation = services.rename_conversation(
            request.user, conversation_id=conversation_id, name=request.POST["name"]
        )
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        if conversation.title:
            flash.success(request, f"The group is now called “{conversation.title}”.")
        else:
            flash.success(request, "The group has no name now: it goes by its people.")
    return redirect("messaging:conversation", conversation_id)


@require_GET
def search(request: AuthedRequest):
    """Search the person's conversations; without a query, say how."""
    form = SearchForm(request.GET)
    results = None
    status = 200
    if not form.is_valid():
        status = 400
    elif form.cleaned_data["q"] or "q" in request.GET:
        data = form.cleaned_data
        sort = data["sort"] or "relevance"
        try:
            cursor = (
                selectors.parse_search_cursor(data["cursor"], sort)
                if data["cursor"]
                else None
            )
            results = selectors.search_messages(
                request.user,
                data["q"],
                conversation_id=data["conversation"],
                sender_id=data["from"],
                after=data["after"],
                before=data["before"],
                cursor=cursor,
                sort=sort,
                # The page shows no reactions, mentions or files.
                details=False,
            )
        except ServiceError as exc:
            form.add_error("q", exc.message)
            status = 400
    sender_id = form.cleaned_data.get("from") if form.is_bound else None
    return render(
        request,
        "messaging/search.html",
        {
            "form": form,
            "results": results,
            "summaries": selectors.conversation_summaries(request.user),
            "sender": User.objects.filter(pk=sender_id).first() if sender_id else None,
        },
        status=status,
    )
