from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lapas_training import facility_settings, health, two_factor, views, views_audit

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("health/", health.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/enrol/", two_factor.enrol, name="two_factor_enrol"),
    path(
        "accounts/two-factor/backup-codes/", two_factor.backup_codes, name="two_factor_backup_codes"
    ),
    path("accounts/profile/", views.ProfileUpdateView.as_view(), name="profile"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/"),
        name="password_change",
    ),
    path("facility/", views.facility_picker, name="facility_picker"),
    path("facility/switch/", views.switch_facility, name="switch_facility"),
    path(
        "settings/facility/",
        facility_settings.FacilitySettingsView.as_view(),
        name="facility_settings",
    ),
    path("settings/facility/logo/", facility_settings.facility_logo, name="facility_logo"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_update"),
    path("language/", views.switch_language, name="switch_language"),
    path("audit/", views_audit.audit_list, name="audit_list"),
    path("reports/", include("lapas_training.reports.urls")),
    path("", include("programs.urls")),
    path("", include("attendance.urls")),
    path("", include("certificates.urls")),
    path("inmates/", include("inmates.urls")),
    path("", include("certificates.urls_public")),
    path("", include("certificates.urls_documents")),
    path("admin/", admin.site.urls),
]
