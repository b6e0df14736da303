"""Importing inmates from a register file: upload and preview (a dry run), then confirm.

The uploaded file is kept between the two steps under MEDIA_ROOT/private/imports with a random
name whose token lives only in the uploader's session; the confirm step reads it again and
checks it against the database as it is then, so the preview can never be applied stale.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from inmates.forms import InmateImportForm
from inmates.imports import (
    COLUMNS,
    import_file,
    instructions,
    plan_import,
    template_csv,
    template_xlsx,
)
from lapas_training import audit
from lapas_training.access import MANAGERS, role_required

SESSION_KEY = "inmate_import"
UPLOAD_DIR = "private/imports"
# The preview lists this many rows of each kind; the counts are always whole.
PREVIEW_LIMIT = 200
TEMPLATES = {
    "csv": (template_csv, "text/csv; charset=utf-8"),
    "xlsx": (template_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@require_http_methods(["GET", "POST"])
@role_required(MANAGERS)
def inmate_import(request):
    """The upload form; a posted file gives the preview, a posted token applies it."""
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    form = InmateImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if form.is_valid():
        plan = plan_import(form.parsed, facility=request.scope.facility)
        # Only a file that can be applied is kept: the others are fixed and uploaded again.
        token = _keep(request, form.content, form.parsed.format) if plan.can_apply else None
        return _preview(request, plan, token)
    return render(
        request,
        "inmates/inmate_import.html",
        {"form": form, "columns": COLUMNS, "instructions": instructions()},
    )


def _confirm(request):
    pending = request.session.get(SESSION_KEY)
    token = request.POST.get("token", "")
    if (
        not pending
        or not constant_time_compare(token, pending["token"])
        or pending["facility"] != request.scope.facility.pk
    ):
        raise Http404
    name = pending["name"]
    _forget(request)
    try:
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        messages.error(request, _("The uploaded file is no longer available; upload it again."))
        return redirect("inmates:inmate_import")
    try:
        plan = import_file(data, facility=request.scope.facility, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("inmates:inmate_import")
    finally:
        default_storage.delete(name)
    if plan.errors:
        # Another officer's change since the preview: nothing was written.
        messages.error(
            request,
            _("The inmates changed since the preview; nothing was imported. See the errors below."),
        )
        return _preview(request, plan, None)
    done = _("Import done: %(created)s created, %(updated)s updated.") % {
        "created": len(plan.creates),
        "updated": len(plan.updates),
    }
    audit.record(
        request,
        kind=audit.Kind.IMPORT,
        facility=request.scope.facility,
        user=request.user,
        detail=done,
    )
    messages.success(request, done)
    return redirect("inmates:inmate_list")


def _preview(request, plan, token):
    return render(
        request,
        "inmates/inmate_import_preview.html",
        {
            "plan": plan,
            "token": token,
            "creates": plan.creates[:PREVIEW_LIMIT],
            "updates": plan.updates[:PREVIEW_LIMIT],
            "errors": plan.errors[:PREVIEW_LIMIT],
            "limit": PREVIEW_LIMIT,
        },
    )


def _keep(request, data, file_format):
    """Store the file for the confirm step and return the token naming it in the session."""
    _forget(request, delete=True)
    _sweep_abandoned()
    token = get_random_string(32)
    name = default_storage.save(f"{UPLOAD_DIR}/{token}.{file_format}", ContentFile(data))
    request.session[SESSION_KEY] = {
        "token": token,
        "name": name,
        "facility": request.scope.facility.pk,
    }
    return token


def _forget(request, delete=False):
    pending = request.session.pop(SESSION_KEY, None)
    if pending and delete:
        default_storage.delete(pending["name"])


def _sweep_abandoned():
    """Delete uploads older than a session: their previews can no longer be confirmed."""
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    for file_name in files:
        name = f"{UPLOAD_DIR}/{file_name}"
        if default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)


@require_safe
@role_required(MANAGERS)
def inmate_import_template(request, fmt):
    """An empty register with the expected columns (XLSX: with an instructions sheet)."""
    if fmt not in TEMPLATES:
        raise Http404
    build, content_type = TEMPLATES[fmt]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="inmate-import-template.{fmt}"'
    return response
