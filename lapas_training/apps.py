from axes import apps as axes_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_static import apps as otp_static_apps
from django_otp.plugins.otp_totp import apps as otp_totp_apps
from django_tasks_db import apps as tasks_db_apps


class LapasTrainingConfig(AppConfig):
    name = "lapas_training"
    verbose_name = _("Facilities and users")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from lapas_training import audit
        from lapas_training.middleware import start_activity
        from lapas_training.two_factor import remember_enrolment

        user_logged_in.connect(start_activity, dispatch_uid="lapas_training.start_activity")
        user_logged_in.connect(audit.login_succeeded, dispatch_uid="lapas_training.audit.login")
        user_logged_in.connect(remember_enrolment, dispatch_uid="lapas_training.two_factor")
        user_login_failed.connect(audit.login_failed, dispatch_uid="lapas_training.audit.failed")
        user_locked_out.connect(audit.locked_out, dispatch_uid="lapas_training.audit.lockout")


class BackgroundTasksConfig(tasks_db_apps.TasksAppConfig):
    """django_tasks_db, named in the user's language on the admin index.

    The package names its app in English only and ships no Indonesian catalogue; its model's
    names are marked for translation, so our catalogue carries them.
    """

    # Named in INSTALLED_APPS; never the configuration of the "lapas_training" app itself.
    default = False
    verbose_name = _("Background tasks")


class LoginLockoutConfig(axes_apps.AppConfig):
    """django-axes (failed logins and lockouts), named in the user's language on the admin
    index; its catalogue translates its models but not its app's name."""

    default = False
    verbose_name = _("Login lockouts")


class AuthenticatorAppsConfig(otp_totp_apps.DefaultConfig):
    """django-otp's authenticator apps (TOTP devices), named in the user's language in the
    Django admin, where a superuser deletes a lost phone's device. The package marks neither
    its app's nor its model's names for translation, so they are set here; the model's
    migrations read its own Meta, untouched."""

    default = False
    verbose_name = _("Two-step verification: apps")

    def ready(self):
        model = self.get_model("TOTPDevice")
        model._meta.verbose_name = _("authenticator app")
        model._meta.verbose_name_plural = _("authenticator apps")


class BackupCodesConfig(otp_static_apps.DefaultConfig):
    """django-otp's backup codes (static devices and their tokens), named in the user's language
    in the Django admin, as `AuthenticatorAppsConfig`."""

    default = False
    verbose_name = _("Two-step verification: backup codes")

    def ready(self):
        device, token = self.get_model("StaticDevice"), self.get_model("StaticToken")
        device._meta.verbose_name = _("backup code list")
        device._meta.verbose_name_plural = _("backup code lists")
        token._meta.verbose_name = _("backup code")
        token._meta.verbose_name_plural = _("backup codes")


# django_tasks_db's model names, marked here so that `make messages` keeps them in our catalogue.
gettext_noop("Task Result")
gettext_noop("Task Results")
