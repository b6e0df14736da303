from django.urls import path

from inmates import views

app_name = "inmates"

urlpatterns = [
    path("", views.InmateListView.as_view(), name="inmate_list"),
    path("new/", views.InmateCreateView.as_view(), name="inmate_create"),
    path("<int:pk>/", views.InmateDetailView.as_view(), name="inmate_detail"),
    path("<int:pk>/edit/", views.InmateUpdateView.as_view(), name="inmate_update"),
]
