from django.urls import path

from treffpunkt.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("imprint/", views.legal, {"kind": "imprint"}, name="imprint"),
    path("privacy/", views.legal, {"kind": "privacy"}, name="privacy"),
]
