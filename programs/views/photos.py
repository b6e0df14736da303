"""Session documentation photos and product photos (hasil karya).

Whoever may see a session or program sees its photos; managers and the program's trainers (who
photograph in the hall) upload; only managers delete. Files live under MEDIA_ROOT/private and
reach the browser only through the serving views here, after the scope check.
"""

from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from inmates.photos import photo_response
from lapas_training.access import ALL_ROLES, MANAGERS, role_required
from lapas_training.models import Role
from programs.forms.photos import ProductPhotoForm, SessionPhotoForm, photo_participants
from programs.models import ProductPhoto, Program, SessionPhoto, TrainingSession
from programs.views.programs import ProgramDetailView
from programs.views.sessions import SessionDetailView

# Trainers may upload too: in_scope already narrows them to their partner's programs.
UPLOADERS = MANAGERS | {Role.TRAINER}


@role_required(UPLOADERS)
@require_POST
def session_photo_add(request, pk):
    session = get_object_or_404(TrainingSession.objects.in_scope(request.scope), pk=pk)
    form = SessionPhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_page(SessionDetailView, request, pk, session_photo_form=form)
    _store(form, session=session, uploaded_by=request.user)
    messages.success(request, _("The photo was added."))
    return redirect(f"{session.get_absolute_url()}#photos")


@role_required(UPLOADERS)
@require_POST
def product_photo_add(request, pk):
    program = get_object_or_404(Program.objects.in_scope(request.scope), pk=pk)
    form = ProductPhotoForm(
        request.POST,
        request.FILES,
        enrollments=photo_participants(program, request.scope),
    )
    if not form.is_valid():
        return _detail_page(ProgramDetailView, request, pk, product_photo_form=form)
    _store(form, program=program, uploaded_by=request.user)
    messages.success(request, _("The product photo was added."))
    return redirect(f"{program.get_absolute_url()}#products")


@require_safe
@role_required(ALL_ROLES)
def session_photo(request, pk, thumbnail=False):
    """A session photo (or its thumbnail) to those who may see the session; 404 for others."""
    photo = get_object_or_404(SessionPhoto.objects.in_scope(request.scope), pk=pk)
    return photo_response(photo.thumbnail if thumbnail else photo.image)


@require_safe
@role_required(ALL_ROLES)
def product_photo(request, pk, thumbnail=False):
    """A product photo (or its thumbnail) to those who may see the program; 404 for others."""
    photo = get_object_or_404(ProductPhoto.objects.in_scope(request.scope), pk=pk)
    return photo_response(photo.thumbnail if thumbnail else photo.image)


@role_required(MANAGERS)
@require_POST
def session_photo_delete(request, pk):
    photo = get_object_or_404(
        SessionPhoto.objects.in_scope(request.scope).select_related("session"), pk=pk
    )
    _delete(photo)
    messages.success(request, _("The photo was deleted."))
    return redirect(f"{photo.session.get_absolute_url()}#photos")


@role_required(MANAGERS)
@require_POST
def product_photo_delete(request, pk):
    photo = get_object_or_404(
        ProductPhoto.objects.in_scope(request.scope).select_related("program"), pk=pk
    )
    _delete(photo)
    messages.success(request, _("The product photo was deleted."))
    return redirect(f"{photo.program.get_absolute_url()}#products")


def _detail_page(view_class, request, pk, **context):
    """The session or program page with the refused form and its errors, nothing saved."""
    view = view_class()
    view.setup(request, pk=pk)
    view.object = view.get_object()
    return view.render_to_response(view.get_context_data(**context))


def _store(form, **fields):
    """Save the form's photo with its sanitized files; no file outlives a failed save."""
    photo = form.instance
    for name, value in fields.items():
        setattr(photo, name, value)
    full, thumbnail = form.cleaned_data["image"]
    photo.image.save(full.name, full, save=False)
    photo.thumbnail.save(thumbnail.name, thumbnail, save=False)
    try:
        form.save()
    except DatabaseError:
        # A locked or failing database must not leave files that no row points at.
        _delete_files(photo)
        raise


def _delete(photo):
    # The row goes first: should that fail, the page still shows a photo it can serve.
    photo.delete()
    _delete_files(photo)


def _delete_files(photo):
    for field in (photo.image, photo.thumbnail):
        field.storage.delete(field.name)
