from django.urls import path

from certificates.views.verify import verify

app_name = "verify"

urlpatterns = [
    path("verify/<str:code>/", verify, name="verify"),
]
