from django.urls import path

from treffpunkt.moderation import views

app_name = "moderation"

urlpatterns = [
    path("filter/", views.filter_page, name="filter"),
    path("filter/train/", views.train_model, name="train"),
]
