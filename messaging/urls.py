from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/new/", views.new_conversation, name="new_conversation"),
    path("messages/search/", views.search, name="message_search"),
    path("messages/with/<id:user_id>/", views.start_direct, name="start_direct"),
    path("messages/<id:conversation_id>/", views.conversation, name="conversation"),
    path(
        "messages/<id:conversation_id>/m/<id:message_id>/",
        views.permalink,
        name="permalink",
    ),
    path(
        "messages/<id:conversation_id>/leave/", views.leave, name="leave_conversation"
    ),
    path(
        "messages/<id:conversation_id>/rename/",
        views.rename,
        name="rename_conversation",
    ),
    path(
        "messages/<id:conversation_id>/people/",
        views.add_people,
        name="add_people",
    ),
]
