"""Every write to conversations, and the events it publishes.

Each change is stored in one transaction together with its event in the
kernel's catch-up log (intranet.realtime.record), and published on commit:
durable before live. One module per concept; import from here.
"""

from messaging.services.attachments import (
    MAX_ATTACHMENTS_PER_MESSAGE,
    claim_uploads,
    delete_attachments,
    prune_unsent_attachments,
    store_upload,
    upload_attachment,
)
from messaging.services.conversations import (
    MAX_GROUP_SIZE,
    MAX_TITLE_LENGTH,
    add_members,
    create_group,
    get_or_create_direct,
    leave_conversation,
    open_space_chat,
    rename_conversation,
    rename_space_chat,
    set_space_chat_members,
)
from messaging.services.messages import delete_message, edit_message, send_message
from messaging.services.reactions import add_reaction, remove_reaction
from messaging.services.reads import mark_read, set_typing

__all__ = [
    "MAX_ATTACHMENTS_PER_MESSAGE",
    "MAX_GROUP_SIZE",
    "MAX_TITLE_LENGTH",
    "add_members",
    "add_reaction",
    "claim_uploads",
    "create_group",
    "delete_attachments",
    "delete_message",
    "edit_message",
    "get_or_create_direct",
    "leave_conversation",
    "mark_read",
    "open_space_chat",
    "prune_unsent_attachments",
    "remove_reaction",
    "rename_conversation",
    "rename_space_chat",
    "send_message",
    "set_space_chat_members",
    "set_typing",
    "store_upload",
    "upload_attachment",
]
