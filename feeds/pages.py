"""What feeds adds to other apps' pages (intranet.plugins)."""

from feeds import selectors
from intranet.plugins import Section, profile_section
from profiles.models import User
from profiles.roles import can_verify_sources


@profile_section
def spaces_and_posts(viewer: User, person: User) -> Section:
    """A person's spaces and recent posts, as the viewer may see them, and
    a Follow button: their posts in open spaces then come to the home feed."""
    return Section(
        template="feeds/_profile.html",
        actions=None if viewer.pk == person.pk else "feeds/_follow.html",
        context={
            "spaces": selectors.spaces_of(person, viewer),
            "posts": selectors.recent_posts_by(person, viewer),
            "following": viewer.pk != person.pk and selectors.follows(viewer, person),
        },
    )


@profile_section
def verified_source(viewer: User, person: User) -> Section | None:
    """For HR: mark the person as a verified source, or not (the Trusted
    view keeps verified people's posts; their name carries a badge)."""
    if not can_verify_sources(viewer) or not person.is_active:
        return None
    return Section(
        template="feeds/_empty.html",
        actions="feeds/_verify.html",
        context={"verified": person.is_verified},
    )
