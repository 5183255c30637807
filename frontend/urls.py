from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("search/", views.search, name="search"),
    path("favicon.ico", views.favicon, name="favicon"),
]
