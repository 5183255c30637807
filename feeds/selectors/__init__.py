"""Reads about spaces and feeds, shared by pages, the API, the socket and
search: who may see what (access), the feeds, reach, the sidebar, the
space directory and members (spaces), a
person's profile, link previews, announcements and their
acknowledgements."""

from feeds.selectors.access import (
    SpaceAccess,
    find_space,
    findable_spaces,
    get_comment_for_user,
    get_post_attachment_for_user,
    get_post_for_user,
    member_space_ids,
    membership,
    readable_posts,
    readable_space,
    readable_spaces,
    space_access,
)
from feeds.selectors.acknowledgements import (
    NO_DEPARTMENT,
    AcknowledgementReport,
    DepartmentLine,
    ReaderLine,
    acknowledgement_report,
)
from feeds.selectors.announcements import hr_people, scheduled_announcements
from feeds.selectors.feeds import (
    COMMENTS_IN_FEED,
    FEED_PAGE,
    TrustRule,
    home_feed,
    pinned_posts,
    post_comments,
    space_feed,
    trust_rule,
    trusted_authors,
    with_details,
)
from feeds.selectors.previews import (
    LINKS_PER_POST,
    PREVIEWS_PER_POST,
    LinkPreview,
    link_previews,
    post_previews,
)
from feeds.selectors.profile import (
    PROFILE_POSTS,
    PROFILE_SPACES,
    follows,
    recent_posts_by,
    spaces_of,
)
from feeds.selectors.reach import (
    VIEWERS_SHOWN,
    audience,
    may_see_reach,
    post_viewers,
    reach_for_page,
    reach_of,
)
from feeds.selectors.sidebar import UNREAD_CAP, SpaceSummary, space_summaries
from feeds.selectors.spaces import (
    first_members,
    has_asked_to_join,
    join_requests,
    member_count,
    space_directory,
    space_members,
)

__all__ = [
    "COMMENTS_IN_FEED",
    "FEED_PAGE",
    "LINKS_PER_POST",
    "NO_DEPARTMENT",
    "PREVIEWS_PER_POST",
    "PROFILE_POSTS",
    "PROFILE_SPACES",
    "UNREAD_CAP",
    "VIEWERS_SHOWN",
    "AcknowledgementReport",
    "DepartmentLine",
    "LinkPreview",
    "ReaderLine",
    "SpaceAccess",
    "SpaceSummary",
    "TrustRule",
    "acknowledgement_report",
    "audience",
    "find_space",
    "findable_spaces",
    "first_members",
    "follows",
    "get_comment_for_user",
    "get_post_attachment_for_user",
    "get_post_for_user",
    "has_asked_to_join",
    "home_feed",
    "hr_people",
    "join_requests",
    "link_previews",
    "may_see_reach",
    "member_count",
    "member_space_ids",
    "membership",
    "pinned_posts",
    "post_comments",
    "post_previews",
    "post_viewers",
    "reach_for_page",
    "reach_of",
    "readable_posts",
    "readable_space",
    "readable_spaces",
    "recent_posts_by",
    "scheduled_announcements",
    "space_access",
    "space_directory",
    "space_feed",
    "space_members",
    "space_summaries",
    "spaces_of",
    "trust_rule",
    "trusted_authors",
    "with_details",
]
