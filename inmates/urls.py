from django.urls import path

from inmates.views import departures, exports, imports, outcomes
from inmates.views import inmates as views

app_name = "inmates"

urlpatterns = [
    path("", views.InmateListView.as_view(), name="inmate_list"),
    path("new/", views.InmateCreateView.as_view(), name="inmate_create"),
    path("import/", imports.inmate_import, name="inmate_import"),
    path(
        "import/template.<str:fmt>", imports.inmate_import_template, name="inmate_import_template"
    ),
    path("export.<str:fmt>", exports.inmate_export, name="inmate_export"),
    path("follow-ups/", outcomes.follow_up_list, name="follow_up_list"),
    path("outcomes/", outcomes.outcome_report, name="outcome_report"),
    path("outcomes/export.<str:fmt>", outcomes.outcome_report_export, name="outcome_report_export"),
    path("outcomes/region/", outcomes.outcome_rollup, name="outcome_rollup"),
    path(
        "outcomes/region/export.<str:fmt>",
        outcomes.outcome_rollup_export,
        name="outcome_rollup_export",
    ),
    path("<int:pk>/", views.InmateDetailView.as_view(), name="inmate_detail"),
    path("<int:pk>/edit/", views.InmateUpdateView.as_view(), name="inmate_update"),
    path("<int:pk>/departure/", views.inmate_departure, name="inmate_departure"),
    path("<int:pk>/departure/undo/", departures.departure_undo, name="departure_undo"),
    path("<int:pk>/follow-up/consent/", outcomes.follow_up_consent, name="follow_up_consent"),
    path("<int:pk>/follow-up/<int:milestone>/", outcomes.follow_up_record, name="follow_up_record"),
    path("<int:pk>/history.<str:fmt>", exports.inmate_history_export, name="inmate_history_export"),
    path("<int:pk>/photo/", views.inmate_photo, name="inmate_photo"),
    path(
        "<int:pk>/photo/thumbnail/",
        views.inmate_photo,
        {"thumbnail": True},
        name="inmate_photo_thumbnail",
    ),
]
