from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("people/", views.directory, name="people"),
    path("people/<id:person_id>/", views.person, name="person"),
    path("settings/tokens/", views.tokens, name="api_tokens"),
    path(
        "settings/tokens/<id:token_id>/revoke/",
        views.revoke_token,
        name="api_token_revoke",
    ),
]
