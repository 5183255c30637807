from django.urls import path

from feeds import views

app_name = "feeds"

urlpatterns = [
    path("spaces/", views.spaces, name="spaces"),
    path("spaces/<slug:slug>/", views.space, name="space"),
    path("posts/<id:post_id>/", views.post, name="post"),
]
