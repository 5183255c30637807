from django.contrib import admin
from django.urls import include, path

from intranet import views
from intranet.api import api

urlpatterns = [
    path("", include("frontend.urls")),
    path("", include("profiles.urls")),
    path("", include("messaging.urls")),
    path("", include("feeds.urls")),
    path("", include("onboarding.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", views.healthz, name="healthz"),
]
