"""Files on posts: uploaded to a space first, then posted with one post.

The checks, storage and deletion are messaging's (messaging.services:
store_upload, claim_uploads, delete_attachments); what is feeds' own is
who may upload where, and which post a file belongs to.
"""

from typing import IO

from feeds import events
from feeds.models import Post, PostAttachment
from feeds.selectors.access import readable_space
from intranet.errors import ServiceError
from messaging.services import claim_uploads, delete_attachments, store_upload
from profiles.models import User


def upload_post_attachment(
    user: User, *, space_id: int, upload: IO[bytes], name: str, size: int
) -> PostAttachment:
    """Store a file `user` uploads to a space to post, not yet posted.
    Post it with create_post(attachment_ids=...)."""
    access = readable_space(user, space_id)
    if not access.can_post:
        raise ServiceError(
            "forbidden",
            "Join the space to post in it."
            if access.member is None
            else "Only this space's leaders and moderators can post here.",
            status=403,
        )
    return store_upload(
        PostAttachment(space=access.space, uploader=user),
        upload=upload,
        name=name,
        size=size,
    )


def attach_to_post(author: User, post: Post, ids: list[int]) -> list[PostAttachment]:
    """Give `post` its author's unposted uploads `ids` to its space.

    Call inside the post's transaction: ServiceError rolls it back.
    """
    if not ids:
        return []
    if len(ids) > events.MAX_ATTACHMENTS_PER_POST:
        raise ServiceError(
            "too_many",
            f"A post can have at most {events.MAX_ATTACHMENTS_PER_POST} files.",
        )
    if len(set(ids)) != len(ids):
        raise ServiceError("duplicate", "The same file is listed twice.")
    uploads = PostAttachment.objects.filter(
        uploader=author, space_id=post.space_id, post__isnull=True
    )
    if claim_uploads(uploads, ids, post=post) != len(ids):
        raise ServiceError(
            "no_such_attachment",
            "A file to post is not one you uploaded to this space, was "
            "posted already or has expired: attach it again.",
        )
    return list(PostAttachment.objects.filter(post=post))


def delete_post_files(post: Post) -> None:
    """Delete a post's files (rows now, files after the commit)."""
    delete_attachments(PostAttachment.objects.filter(post=post))
