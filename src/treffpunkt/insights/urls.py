from django.urls import path

from treffpunkt.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.site_insights, name="site"),
    path("insights/insights.csv", views.site_insights_csv, name="site_csv"),
    path("e/<str:hashtag>/insights/", views.event_insights, name="event"),
    path("e/<str:hashtag>/insights/insights.csv", views.event_insights_csv, name="event_csv"),
    path("e/<str:hashtag>/insights/attendees/", views.event_attendance, name="event_attendance"),
    path("b/<slug:blog>/insights/", views.blog_insights, name="blog"),
    path("b/<slug:blog>/insights/insights.csv", views.blog_insights_csv, name="blog_csv"),
]
