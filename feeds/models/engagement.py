"""How people engage with posts and each other: reactions, follows, muted
posts' comments, and who saw a post."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from feeds.models.posts import Comment, Post


class Reaction(models.Model):
    """An emoji on a post, or on one of its comments (`comment` set)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reactions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    emoji = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "emoji"],
                condition=Q(comment__isnull=True),
                name="one_post_reaction_per_emoji",
            ),
            models.UniqueConstraint(
                fields=["comment", "user", "emoji"],
                condition=Q(comment__isnull=False),
                name="one_comment_reaction_per_emoji",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on post {self.post_id}"


class Follow(models.Model):
    """One person following another: their posts come to the home feed."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "person"], name="one_follow")
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.person_id}"


class PostMute(models.Model):
    """Someone who asked to hear no more of one post's comments."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_post_mute")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} muted post {self.post_id}"


class PostView(models.Model):
    """A person who had a post on screen: its reach counts each once."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_view_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw post {self.post_id}"
