"""REST endpoints for spaces and their feeds: parse, check access through
the selectors, call one service, answer one of the schemas (schemas.py).

One module per concept, each with its own router; `router`, which
intranet.api adds by name, mounts them in the order their paths were
always registered: the order of the URLs, where a fixed path must come
before a parameter that would match it (/posts/seen, /posts/{post_id}),
and of the OpenAPI document.
"""

from ninja import Router

from feeds.api import comments, engagement, membership, posts, spaces
from feeds.api.posts import PREVIEWS_BURST
from feeds.api.schemas import (
    EmojiIn,
    FeedQuery,
    HomeQuery,
    JoinRequestIn,
    MembersIn,
    ReadIn,
    ReasonIn,
    RoleIn,
    SpaceIn,
    SpaceQuery,
)

__all__ = [
    "PREVIEWS_BURST",
    "EmojiIn",
    "FeedQuery",
    "HomeQuery",
    "JoinRequestIn",
    "MembersIn",
    "ReadIn",
    "ReasonIn",
    "RoleIn",
    "SpaceIn",
    "SpaceQuery",
    "router",
]

router = Router(tags=["feeds"])

for part in (spaces, membership, posts, comments, engagement):
    # The operation ids stay those of the single module this was
    # (feeds_api_<view>): ninja's own would now name each part.
    for path_view in part.router.path_operations.values():
        for operation in path_view.operations:
            if operation.operation_id is None:
                name = operation.view_func.__name__
                operation.operation_id = f"feeds_api_{name}"
    router.add_router("", part.router)
