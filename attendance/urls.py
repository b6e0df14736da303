from django.urls import path

from attendance.views import assessment, marking, recap, sheets, sppn

app_name = "attendance"

urlpatterns = [
    path("today/", marking.today, name="today"),
    path("sessions/<int:pk>/attendance/", marking.mark, name="mark"),
    path("sessions/<int:pk>/daftar-hadir.pdf", sheets.sheet_pdf, name="sheet_pdf"),
    path("sessions/<int:pk>/scans/add/", sheets.scan_add, name="scan_add"),
    path("scans/<int:pk>/", sheets.scan_file, name="scan_file"),
    path("programs/<int:pk>/recap/", recap.recap, name="recap"),
    path("programs/<int:pk>/recap.<str:fmt>", recap.recap_export, name="recap_export"),
    path("programs/<int:pk>/assessment/", assessment.assessment, name="assessment"),
    # Under /reports/ with the other reports; resolved here, after the reports namespace.
    path("reports/sppn/", sppn.sppn_page, name="sppn"),
    path("reports/sppn.<str:fmt>", sppn.sppn_export, name="sppn_export"),
]
