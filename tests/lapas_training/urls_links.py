"""A URLconf of test_links.py: the same names under other paths."""

from django.urls import include, path

from lapas_training import views

inmate_patterns = ([path("<int:pk>/", views.dashboard, name="inmate_detail")], "inmates")

urlpatterns = [
    path("home/", views.dashboard, name="dashboard"),
    path("people/", include(inmate_patterns)),
]
