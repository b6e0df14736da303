from django.urls import path

from lapas_training.reports import (
    views_activity,
    views_dashboard,
    views_news,
    views_periodic,
    views_regional,
)

app_name = "reports"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("programs/<int:pk>/activity/", views_activity.activity_edit, name="activity_edit"),
    path("programs/<int:pk>/activity/pdf/", views_activity.activity_pdf, name="activity_pdf"),
    path("periodic/", views_periodic.periodic_page, name="periodic"),
    path("periodic/pdf/", views_periodic.periodic_pdf, name="periodic_pdf"),
    path("periodic/xlsx/", views_periodic.periodic_xlsx, name="periodic_xlsx"),
    path("rollup/periodic/", views_periodic.rollup_periodic_page, name="rollup_periodic"),
    path("rollup/periodic/pdf/", views_periodic.rollup_periodic_pdf, name="rollup_periodic_pdf"),
    path("rollup/periodic/xlsx/", views_periodic.rollup_periodic_xlsx, name="rollup_periodic_xlsx"),
    path("rollup/", views_regional.rollup_dashboard, name="rollup"),
    path("rollup/facilities/", views_regional.rollup_comparison, name="rollup_comparison"),
    path("rollup/facilities/<int:pk>/", views_regional.rollup_facility, name="rollup_facility"),
    path("rollup/programs/", views_regional.rollup_programs, name="rollup_programs"),
    path("rollup/programs/<int:pk>/", views_regional.rollup_program, name="rollup_program"),
    path("rollup/partners/", views_regional.rollup_partners, name="rollup_partners"),
    path("rollup/partners/<int:pk>/", views_regional.rollup_partner, name="rollup_partner"),
    path("programs/<int:pk>/news/", views_news.news, name="news"),
    path("programs/<int:pk>/news/download/", views_news.news_download, name="news_download"),
]
