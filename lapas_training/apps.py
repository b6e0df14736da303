from axes import apps as axes_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db import apps as tasks_db_apps


class LapasTrainingConfig(AppConfig):
    name = "lapas_training"
    verbose_name = _("Facilities and users")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from lapas_training import audit
        from lapas_training.middleware import start_activity

        user_logged_in.connect(start_activity, dispatch_uid="lapas_training.start_activity")
        user_logged_in.connect(audit.login_succeeded, dispatch_uid="lapas_training.audit.login")
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


# django_tasks_db's model names, marked here so that `make messages` keeps them in our catalogue.
gettext_noop("Task Result")
gettext_noop("Task Results")
