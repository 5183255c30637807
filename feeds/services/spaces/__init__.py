"""Spaces and who is in them.

Every change to a space's members changes its chat's members in the same
transaction (messaging's space-chat services), and tells the person's tabs
to follow or stop following `space.<id>` at once.

A space's settings, joining and leaving, what its leaders decide, how a
member reads it, and the spaces the directory keeps each have a module;
membership holds what they share. The services are re-exported by
feeds.services.
"""

# onboarding's enrollment adds people to a journey's space this way.
from feeds.services.spaces.membership import _add, lock_space

__all__ = ["_add", "lock_space"]
