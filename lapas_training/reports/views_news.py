"""The draft news item of a program: the page where the officer edits and copies it, and the
downloads of the edited text as plain text, a web page or a Word document.

The app never publishes it: the officer takes the text to the facility's website themselves.
Admins, staff and the viewer (the Kalapas) of the facility read it; trainers and regional users
do not (403); another facility's program is a 404.
"""

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from certificates.pdf import title_without_kind
from lapas_training.access import READERS, role_required
from lapas_training.db_router import reads_from_replica
from lapas_training.spreadsheets import safe_filename
from programs.models import Program

from .news import MAX_TEXT_LENGTH, as_docx, as_html, clean_text, news_draft

# fmt -> (label, content type)
FORMATS = {
    "txt": (_("Text (.txt)"), "text/plain; charset=utf-8"),
    "html": (_("Web page (.html)"), "text/html; charset=utf-8"),
    "docx": (
        _("Word (.docx)"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


class NewsTextForm(forms.Form):
    """The edited text and the format to download it in."""

    text = forms.CharField(
        label=_("Text of the news item"),
        error_messages={
            "required": _("The text is empty: write the news item or go back to the draft.")
        },
    )
    fmt = forms.ChoiceField(
        choices=[(fmt, label) for fmt, (label, _type) in FORMATS.items()],
        error_messages={
            "required": _("Choose a format to download: text, web page or Word."),
            "invalid_choice": _("Choose a format to download: text, web page or Word."),
        },
    )

    def clean_text(self):
        # Counted after the browser's CRLF line ends are made plain, as the textarea counts them.
        text = clean_text(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError(self.fields["text"].error_messages["required"])
        if len(text) > MAX_TEXT_LENGTH:
            raise forms.ValidationError(
                _(
                    "The text is too long: at most %(limit)s characters, and it has %(count)s. "
                    "Shorten it and download again."
                ),
                params={
                    "limit": number_format(MAX_TEXT_LENGTH, force_grouping=True),
                    "count": number_format(len(text), force_grouping=True),
                },
            )
        return text


@require_safe
@role_required(READERS)
@reads_from_replica
def news(request, pk):
    """The draft in an editable text area, with copy, back-to-draft and downloads.

    Queries: the user, the facility (scope), the program, then those of `news_draft`.
    """
    program = _program(request, pk)
    draft = news_draft(program)
    form = NewsTextForm(initial={"text": draft.text})
    return _page(request, program, draft, form)


@require_POST
@role_required(READERS)
def news_download(request, pk):
    """The text as posted from the page (the officer's edits) in the chosen format; bad input
    shows the page again with the message and the posted text, and no file."""
    program = _program(request, pk)
    form = NewsTextForm(request.POST)
    if not form.is_valid():
        return _page(request, program, news_draft(program), form)
    text, fmt = form.cleaned_data["text"], form.cleaned_data["fmt"]
    if fmt == "docx":
        content = as_docx(text)
    elif fmt == "html":
        content = as_html(text)
    else:
        content = text + "\n"
    response = HttpResponse(content, content_type=FORMATS[fmt][1])
    filename = f"berita-kegiatan-{safe_filename(title_without_kind(program.title))}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _program(request, pk):
    return get_object_or_404(
        Program.objects.in_scope(request.scope).select_related("facility"), pk=pk
    )


def _page(request, program, draft, form):
    return render(
        request,
        "lapas_training/reports/news_page.html",
        {
            "program": program,
            "draft": draft,
            "form": form,
            "formats": [(fmt, label) for fmt, (label, _type) in FORMATS.items()],
            "max_length": MAX_TEXT_LENGTH,
            "max_length_shown": number_format(MAX_TEXT_LENGTH, force_grouping=True),
        },
    )
