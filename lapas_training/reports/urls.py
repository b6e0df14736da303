from django.urls import path  # noqa: F401 (each report adds its paths below)

app_name = "reports"

urlpatterns = []
