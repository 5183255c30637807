from django.urls import path

from feeds import announcement_views, views

app_name = "feeds"

urlpatterns = [
    path("spaces/", views.spaces, name="spaces"),
    path("spaces/<slug:slug>/", views.space, name="space"),
    path("posts/<id:post_id>/", views.post, name="post"),
    # The pages' forms (without JavaScript; with it, the REST API).
    path("spaces/<id:space_id>/posts/", views.create_post, name="create_post"),
    path("spaces/<id:space_id>/join/", views.join, name="join"),
    path("spaces/<id:space_id>/leave/", views.leave, name="leave"),
    path("spaces/<id:space_id>/mute/", views.mute, name="mute"),
    path("spaces/<id:space_id>/closely/", views.closely, name="closely"),
    path("spaces/<id:space_id>/ask/", views.ask_to_join, name="ask"),
    path("spaces/<id:space_id>/requests/<id:user_id>/", views.decide, name="decide"),
    path("spaces/<id:space_id>/settings/", views.space_settings, name="settings"),
    path("posts/<id:post_id>/comments/", views.add_comment, name="comment"),
    path("posts/<id:post_id>/react/", views.react, name="react"),
    path("posts/<id:post_id>/pin/", views.pin, name="pin"),
    path("posts/<id:post_id>/mute/", views.mute_post, name="mute_post"),
    path("posts/<id:post_id>/delete/", views.delete_post, name="delete"),
    path("people/<id:person_id>/follow/", views.follow, name="follow"),
    path("comments/<id:comment_id>/react/", views.react_comment, name="react_comment"),
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
        "comments/<id:comment_id>/delete/", views.delete_comment, name="delete_comment"
    ),
]
