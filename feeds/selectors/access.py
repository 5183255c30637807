"""Who may see which space and post: decided here, once.

- An open space: anyone signed in reads it and may join.
- A closed space: anyone finds it (name, description) and may ask to
  join; only members read its posts, comments, members and events.
- A secret space: only members know it exists; Http404 for everyone else,
  on every path.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from feeds.models import Comment, Post, PostAttachment, Space, SpaceMember
from profiles.models import User


def member_space_ids(user: User) -> QuerySet:
    return SpaceMember.objects.filter(user=user).values("space_id")


def findable_spaces(user: User) -> QuerySet[Space]:
    """Spaces `user` may know of: every open and closed one, and the
    secret ones they belong to."""
    return Space.objects.filter(
        ~Q(visibility=Space.Visibility.SECRET) | Q(pk__in=member_space_ids(user))
    )


def readable_spaces(user: User) -> QuerySet[Space]:
    """Spaces whose posts `user` may read: open ones and their own."""
    return Space.objects.filter(
        Q(visibility=Space.Visibility.OPEN) | Q(pk__in=member_space_ids(user))
    )


def membership(user: User, space: Space) -> SpaceMember | None:
    return SpaceMember.objects.filter(user=user, space=space).first()


@dataclass
class SpaceAccess:
    """A space as one person may see it."""

    space: Space
    member: SpaceMember | None

    @property
    def can_read(self) -> bool:
        return self.member is not None or self.space.visibility == Space.Visibility.OPEN

    @property
    def role(self) -> str | None:
        return self.member.role if self.member else None

    @property
    def can_moderate(self) -> bool:
        return self.member is not None and self.member.can_moderate

    @property
    def is_leader(self) -> bool:
        return self.role == SpaceMember.Role.LEADER

    @property
    def can_post(self) -> bool:
        if self.member is None:
            return False
        return self.space.who_may_post == Space.Who.MEMBERS or self.can_moderate

    @property
    def can_mention_all(self) -> bool:
        if self.member is None:
            return False
        return self.space.who_may_mention_all == Space.Who.MEMBERS or self.can_moderate


def space_access(user: User, space: Space) -> SpaceAccess:
    """Return `user`'s access to `space`; Http404 if they may not know it."""
    member = membership(user, space)
    if member is None and space.visibility == Space.Visibility.SECRET:
        raise Http404("No such space.")
    return SpaceAccess(space, member)


def find_space(
    user: User, *, slug: str | None = None, space_id: int | None = None
) -> SpaceAccess:
    """Return the space by slug or id as `user` may see it; Http404 if it
    does not exist or is secret to them."""
    lookup = {"slug": slug} if slug is not None else {"pk": space_id}
    space = Space.objects.filter(**lookup).first()
    if space is None:
        raise Http404("No such space.")
    return space_access(user, space)


def readable_space(user: User, space_id: int) -> SpaceAccess:
    """Return the space if `user` may read its posts; Http404 otherwise
    (a closed space's feed is as unknown to outsiders as a secret one)."""
    access = find_space(user, space_id=space_id)
    if not access.can_read:
        raise Http404("No such space.")
    return access


def readable_posts(user: User) -> QuerySet[Post]:
    return Post.objects.filter(space__in=readable_spaces(user))


def get_post_for_user(user: User, post_id: int) -> Post:
    """Return a post in a space `user` may read; Http404 otherwise."""
    post = (
        readable_posts(user)
        .filter(pk=post_id)
        .select_related("space", "author")
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def get_post_attachment_for_user(user: User, attachment_id: int) -> PostAttachment:
    """Return a post's file `user` may download; Http404 otherwise.

    That is one posted with a post (not deleted) in a space `user` may
    read, or `user`'s own upload not posted yet, while they still may.
    """
    attachment = PostAttachment.objects.filter(
        Q(post__isnull=False, post__deleted_at__isnull=True)
        | Q(post__isnull=True, uploader=user),
        pk=attachment_id,
        space__in=readable_spaces(user),
    ).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def get_comment_for_user(user: User, comment_id: int) -> Comment:
    comment = (
        Comment.objects.filter(pk=comment_id, post__space__in=readable_spaces(user))
        .select_related("post__space", "author")
        .first()
    )
    if comment is None:
        raise Http404("No such comment.")
    return comment
