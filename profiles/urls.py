from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("people/", views.directory, name="people"),
    path("people/<id:person_id>/", views.person, name="person"),
    path("people/<id:person_id>/org/", views.org_chart, name="org_chart"),
    path("people/<id:person_id>/edit/", views.edit_org, name="edit_org"),
    path("people/<id:person_id>/photo/<str:size>/", views.photo, name="photo"),
    path("settings/profile/", views.edit_profile, name="edit_profile"),
    path("settings/status/", views.edit_status, name="edit_status"),
    path("settings/tokens/", views.tokens, name="api_tokens"),
    path(
        "settings/tokens/<id:token_id>/revoke/",
        views.revoke_token,
        name="api_token_revoke",
    ),
]
