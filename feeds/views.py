"""Pages for spaces and posts: thin, access through feeds.selectors."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from feeds import selectors
from intranet.validation import Id


@require_GET
def spaces(request):
    found = selectors.findable_spaces(request.user).order_by("name")
    return render(request, "feeds/spaces.html", {"spaces": found})


@require_GET
def space(request, slug: str):
    access = selectors.find_space(request.user, slug=slug)
    posts = selectors.space_feed(request.user, access) if access.can_read else []
    return render(request, "feeds/space.html", {"access": access, "posts": posts})


@require_GET
def post(request, post_id: Id):
    found = selectors.get_post_for_user(request.user, post_id)
    comments = selectors.post_comments(found)
    return render(request, "feeds/post.html", {"post": found, "comments": comments})
