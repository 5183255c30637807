"""Every write to spaces and feeds, and the events it publishes.

Each change is stored with its event in the space's catch-up log
(`space.<id>`, intranet.realtime.record) in one transaction, and published
on commit. One module per concept; import from here.
"""

from feeds.services.announcements import (
    acknowledge,
    announce,
    expire_pins,
    nudge,
    publish_announcement,
    publish_due,
)
from feeds.services.attachments import upload_post_attachment
from feeds.services.engagement import follow, mark_seen, mute_post, react
from feeds.services.posts.comments import add_comment, delete_comment, edit_comment
from feeds.services.posts.moderation import pin_post, set_announcement
from feeds.services.posts.writing import create_post, delete_post, edit_post
from feeds.services.scheduling import cancel_scheduled, edit_scheduled
from feeds.services.spaces.directory import company_space, sync_person
from feeds.services.spaces.joining import join_space, leave_space, request_to_join
from feeds.services.spaces.leading import (
    add_members,
    decide_request,
    remove_member,
    set_role,
)
from feeds.services.spaces.reading import follow_closely, mark_space_read, mute_space
from feeds.services.spaces.settings import create_space, update_space

__all__ = [
    "acknowledge",
    "add_comment",
    "add_members",
    "announce",
    "cancel_scheduled",
    "company_space",
    "create_post",
    "create_space",
    "decide_request",
    "delete_comment",
    "delete_post",
    "edit_comment",
    "edit_post",
    "edit_scheduled",
    "expire_pins",
    "follow",
    "follow_closely",
    "join_space",
    "leave_space",
    "mark_seen",
    "mark_space_read",
    "mute_post",
    "mute_space",
    "nudge",
    "pin_post",
    "publish_announcement",
    "publish_due",
    "react",
    "remove_member",
    "request_to_join",
    "set_announcement",
    "set_role",
    "sync_person",
    "update_space",
    "upload_post_attachment",
]
