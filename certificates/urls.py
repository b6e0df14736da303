from django.urls import path

from certificates.views import certificates, closing, competency, issuing, printing

app_name = "certificates"

urlpatterns = [
    path("programs/<int:pk>/completion/", issuing.completion, name="completion"),
    path("programs/<int:pk>/completion/issue/", issuing.issue, name="issue"),
    path("programs/<int:pk>/close/", closing.program_close, name="program_close"),
    path("programs/<int:pk>/reopen/", closing.program_reopen, name="program_reopen"),
    path("enrollments/<int:pk>/statement/", issuing.statement_issue, name="statement_issue"),
    path("programs/<int:pk>/print/", printing.print_start, name="print_start"),
    path("prints/<int:pk>/", printing.print_detail, name="print_detail"),
    path("prints/<int:pk>/download/", printing.print_download, name="print_download"),
    path("programs/<int:pk>/competency/", competency.competency_units, name="competency_units"),
    path(
        "competency-units/<int:pk>/edit/",
        competency.competency_unit_edit,
        name="competency_unit_edit",
    ),
    path(
        "competency-units/<int:pk>/delete/",
        competency.competency_unit_delete,
        name="competency_unit_delete",
    ),
    path(
        "enrollments/<int:pk>/competency/",
        competency.competency_participant,
        name="competency_participant",
    ),
    path(
        "competency-assessments/<int:pk>/edit/",
        competency.competency_assessment_edit,
        name="competency_assessment_edit",
    ),
    path("certificates/", certificates.CertificateListView.as_view(), name="certificate_list"),
    path("certificates/<int:pk>/", certificates.certificate_detail, name="certificate_detail"),
    path(
        "certificates/<int:pk>/revoke/", certificates.certificate_revoke, name="certificate_revoke"
    ),
    path(
        "certificates/<int:pk>/reissue/",
        certificates.certificate_reissue,
        name="certificate_reissue",
    ),
]
