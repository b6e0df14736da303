from django.urls import path

from inmates import views

app_name = "inmates"

urlpatterns = [
    path("", views.InmateListView.as_view(), name="inmate_list"),
    path("new/", views.InmateCreateView.as_view(), name="inmate_create"),
    path("<int:pk>/", views.InmateDetailView.as_view(), name="inmate_detail"),
    path("<int:pk>/edit/", views.InmateUpdateView.as_view(), name="inmate_update"),
    path("<int:pk>/departure/", views.inmate_departure, name="inmate_departure"),
    path("<int:pk>/photo/", views.inmate_photo, name="inmate_photo"),
    path(
        "<int:pk>/photo/thumbnail/",
        views.inmate_photo,
        {"thumbnail": True},
        name="inmate_photo_thumbnail",
    ),
]
