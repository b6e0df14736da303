"""Uploading session and product photos: the file is checked and re-encoded while validating.

`image` is not the model field: `clean_image` turns the upload into sanitized `(full, thumbnail)`
files (`inmates.photos.sanitize_image`) and the view stores them, so a refused upload writes
nothing to disk.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from inmates.photos import sanitize_image
from programs.models import Enrollment, ProductPhoto, SessionPhoto


class PhotoForm(forms.ModelForm):
    """The file and its caption; a subclass names the model in its Meta (without `image`)."""

    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP. Location and other hidden data in the file are removed."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    # The file first, as the photographer picks it before writing about it.
    field_order = ["image"]

    def clean_image(self):
        return sanitize_image(self.cleaned_data["image"])


class SessionPhotoForm(PhotoForm):
    class Meta:
        model = SessionPhoto
        fields = ["caption"]


def photo_participants(program, scope):
    """The enrolments a product photo of `program` may name, as the scope sees the participants.

    A trainer is offered the current participants only, as on the program page: who left is not
    theirs to see. Costs one query when the choices are rendered or checked.
    """
    enrollments = Enrollment.objects.filter(program=program).select_related("inmate")
    if scope.is_trainer:
        enrollments = enrollments.filter(status=Enrollment.Status.ACTIVE)
    return enrollments.order_by("inmate__full_name", "pk")


class ParticipantChoiceField(forms.ModelChoiceField):
    """A program's participants by name only: the one thing every uploader may see of them."""

    def label_from_instance(self, obj):
        return obj.inmate.full_name


class ProductPhotoForm(PhotoForm):
    """`enrollments` are the participants offered: the program's, as the uploader may see them.

    Limiting the choices to them is what keeps a photo from naming another program's participant.
    """

    enrollment = ParticipantChoiceField(
        label=_("Made by"),
        queryset=None,
        required=False,
        empty_label=_("Group work / not one participant"),
        help_text=_("The participant who made it, if one did."),
    )

    class Meta:
        model = ProductPhoto
        fields = ["caption", "enrollment"]

    def __init__(self, *args, enrollments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = enrollments
