from django.urls import path

from certificates.views import issuing, printing

app_name = "certificates"

urlpatterns = [
    path("programs/<int:pk>/completion/", issuing.completion, name="completion"),
    path("programs/<int:pk>/completion/issue/", issuing.issue, name="issue"),
    path("enrollments/<int:pk>/statement/", issuing.statement_issue, name="statement_issue"),
    path("programs/<int:pk>/print/", printing.print_start, name="print_start"),
    path("prints/<int:pk>/", printing.print_detail, name="print_detail"),
    path("prints/<int:pk>/download/", printing.print_download, name="print_download"),
    path("certificates/", issuing.CertificateListView.as_view(), name="certificate_list"),
    path("certificates/<int:pk>/revoke/", issuing.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:pk>/reissue/", issuing.certificate_reissue, name="certificate_reissue"),
]
