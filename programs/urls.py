from django.urls import path

from programs.views import enrollments, partners, programs, sessions

app_name = "programs"

urlpatterns = [
    # Partners and their agreements
    path("partners/", partners.PartnerListView.as_view(), name="partner_list"),
    path("partners/new/", partners.PartnerCreateView.as_view(), name="partner_create"),
    path("partners/<int:pk>/", partners.PartnerDetailView.as_view(), name="partner_detail"),
    path("partners/<int:pk>/edit/", partners.PartnerUpdateView.as_view(), name="partner_update"),
    path(
        "partners/<int:pk>/agreements/new/",
        partners.AgreementCreateView.as_view(),
        name="agreement_create",
    ),
    path(
        "agreements/<int:pk>/edit/", partners.AgreementUpdateView.as_view(), name="agreement_update"
    ),
    # Programs, their topics and partners
    path("programs/", programs.ProgramListView.as_view(), name="program_list"),
    path("programs/new/", programs.ProgramCreateView.as_view(), name="program_create"),
    path("programs/<int:pk>/", programs.ProgramDetailView.as_view(), name="program_detail"),
    path("programs/<int:pk>/edit/", programs.ProgramUpdateView.as_view(), name="program_update"),
    path(
        "programs/<int:pk>/partners/add/",
        programs.program_partner_add,
        name="program_partner_add",
    ),
    path(
        "program-partners/<int:pk>/remove/",
        programs.program_partner_remove,
        name="program_partner_remove",
    ),
    # Sessions
    path("sessions/", sessions.SessionListView.as_view(), name="session_list"),
    path(
        "programs/<int:pk>/sessions/new/",
        sessions.SessionCreateView.as_view(),
        name="session_create",
    ),
    path(
        "programs/<int:pk>/sessions/generate/",
        sessions.session_generate,
        name="session_generate",
    ),
    path("sessions/<int:pk>/", sessions.SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", sessions.SessionUpdateView.as_view(), name="session_update"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    # Enrolment
    path("programs/<int:pk>/enroll/", enrollments.enroll, name="enroll"),
    path(
        "enrollments/<int:pk>/withdraw/",
        enrollments.enrollment_withdraw,
        name="enrollment_withdraw",
    ),
]
