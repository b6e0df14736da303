from django.urls import path

from certificates.views import issuers
from certificates.views.verify import verify

app_name = "verify"

urlpatterns = [
    path("verify/<str:code>/", verify, name="verify"),
    path("verify/<str:code>/credential.jwt", issuers.credential_jwt, name="credential_jwt"),
    path("verify/<str:code>/credential.json", issuers.credential_json, name="credential_json"),
    path("verifier/", issuers.verifier, name="verifier"),
    path("issuers/<slug:slug>/", issuers.profile, name="issuer"),
    path("issuers/<slug:slug>/did.json", issuers.did_json, name="issuer_did"),
    path("issuers/<slug:slug>/status/<int:number>", issuers.status_list, name="status_list"),
]
