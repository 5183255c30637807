"""Spaces, their members, and the feed of posts, comments and reactions.

A space owns a chat: a messaging conversation of kind `space` whose
members feeds keeps equal to the space's (feeds.services.spaces). Messaging
knows nothing of spaces.
"""

# Django registers the models in import order (content types, admin,
# dumpdata follow it): the order they had in one module.
# isort: off
from feeds.models.spaces import JoinRequest, Space, SpaceMember
from feeds.models.posts import Comment, Post, PostAttachment
from feeds.models.engagement import Follow, PostMute, PostView, Reaction
from feeds.models.announcements import Announcement, Reader

# isort: on

__all__ = [
    "Announcement",
    "Comment",
    "Follow",
    "JoinRequest",
    "Post",
    "PostAttachment",
    "PostMute",
    "PostView",
    "Reaction",
    "Reader",
    "Space",
    "SpaceMember",
]
