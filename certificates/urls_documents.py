from django.urls import path

from certificates.views.documents import certificate_pdf_view

app_name = "certificate_documents"

urlpatterns = [
    path("certificates/<int:pk>/pdf/", certificate_pdf_view, name="pdf"),
]
