from django.urls import path

from feeds import announcement_views
from feeds.views import people, posts, spaces

app_name = "feeds"

urlpatterns = [
    path("spaces/", spaces.spaces, name="spaces"),
    path("spaces/<slug:slug>/", spaces.space, name="space"),
    path("posts/<id:post_id>/", posts.post, name="post"),
    # The pages' forms (without JavaScript; with it, the REST API).
    path("spaces/<id:space_id>/posts/", posts.create_post, name="create_post"),
    path("spaces/<id:space_id>/join/", spaces.join, name="join"),
    path("spaces/<id:space_id>/leave/", spaces.leave, name="leave"),
    path("spaces/<id:space_id>/mute/", spaces.mute, name="mute"),
    path("spaces/<id:space_id>/closely/", spaces.closely, name="closely"),
    path("spaces/<id:space_id>/ask/", spaces.ask_to_join, name="ask"),
    path("spaces/<id:space_id>/requests/<id:user_id>/", spaces.decide, name="decide"),
    path("spaces/<id:space_id>/settings/", spaces.space_settings, name="settings"),
    path("posts/<id:post_id>/comments/", posts.add_comment, name="comment"),
    path("posts/<id:post_id>/react/", posts.react, name="react"),
    path("posts/<id:post_id>/pin/", posts.pin, name="pin"),
    path("posts/<id:post_id>/mute/", posts.mute_post, name="mute_post"),
    path("posts/<id:post_id>/delete/", posts.delete_post, name="delete"),
    path("people/<id:person_id>/follow/", people.follow, name="follow"),
    path("comments/<id:comment_id>/react/", posts.react_comment, name="react_comment"),
    # Announcements (feeds.announcement_views).
    path(
        "announcements/new/",
        announcement_views.new_announcement,
        name="new_announcement",
    ),
    path(
        "announcements/<id:announcement_id>/edit/",
        announcement_views.edit_announcement,
        name="edit_announcement",
    ),
    path(
        "announcements/<id:announcement_id>/cancel/",
        announcement_views.cancel_announcement,
        name="cancel_announcement",
    ),
    path(
        "posts/<id:post_id>/acknowledgements/",
        announcement_views.acknowledgements,
        name="acknowledgements",
    ),
    path(
        "posts/<id:post_id>/acknowledgements.csv",
        announcement_views.acknowledgements_file,
        name="acknowledgements_csv",
    ),
    path(
        "posts/<id:post_id>/acknowledge/",
        announcement_views.acknowledge,
        name="acknowledge",
    ),
    path("posts/<id:post_id>/nudge/", announcement_views.nudge, name="nudge"),
    path("people/<id:person_id>/verified/", announcement_views.verify, name="verify"),
    path(
        "comments/<id:comment_id>/delete/", posts.delete_comment, name="delete_comment"
    ),
]
