"""The draft news item (berita kegiatan) of a program, as prisons publish them on their websites.

`news_draft(program)` writes it from `activity_data` (the same facts the activity report prints):
a headline, a dateline, a lead saying who / what / when / where, the partners and their roles,
the number of participants, the opening and its guests, a marked place for the quotes, the
closing with its outcome once the program is closed, and captions for the documentation photos.
It is always in Bahasa Indonesia, whatever the user's language.

Prisons publish counts, never a participant: the draft holds no inmate's name or registration
number, and a photo caption that names one is replaced by a general caption.

The officer edits the draft in the browser; `split_text`, `as_html` and `as_docx` turn the edited
text back into a headline and paragraphs for the downloads. The app never publishes anything.
"""

import io
import re
from dataclasses import dataclass

import docx
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from certificates.pdf import date_range, join_names
from inmates.models import Inmate
from programs.models import ProgramPartner

from .activity import activity_data

# The longest text the downloads accept: a news item is a page or two; this is ten times that.
MAX_TEXT_LENGTH = 20_000

# "Lapas Narkotika Kelas IIA Kasongan" is "Lapas Narkotika Kasongan" in a headline.
FACILITY_CLASS = re.compile(r"\s+Kelas\s+(?:IIA|IIB|III|II|I)\b", re.IGNORECASE)
# A leading "Pelatihan" the headline's own "Gelar Pelatihan …" already says.
TRAINING_WORD = re.compile(r"^\s*pelatihan\s+", re.IGNORECASE)
# Characters XML (so a DOCX) cannot hold: control characters but tab and newline.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class NewsDraft:
    """The draft: `paragraphs` follow the headline, the first opening with `dateline`;
    `captions` are the photo captions; `replaced_captions` counts those that named an inmate."""

    headline: str
    dateline: str
    paragraphs: list[str]
    captions: list[str]
    replaced_captions: int

    @property
    def text(self):
        """The draft as the officer edits it: headline, then blocks separated by empty lines."""
        blocks = [self.headline, *self.paragraphs]
        if self.captions:
            blocks.append("\n".join([_photo_heading(), *self.captions]))
        return "\n\n".join(blocks)


def news_draft(program):
    """The draft news item of `program` (the queries of `activity_data`, plus one for the
    facility's inmates when there are photo captions to check)."""
    data = activity_data(program)
    with translation.override("id"):
        captions, replaced = _captions(data)
        dateline = _dateline(data)
        paragraphs = [
            f"{dateline}. {_lead(data)}",
            _partners(data),
            _participants(data),
            _opening(data),
            *_quotes(data),
            _closing(data),
            _(
                "Through this training the inmates are expected to gain the skills to work or to "
                "run a business after their release."
            ),
        ]
        return NewsDraft(
            headline=_headline(data),
            dateline=dateline,
            paragraphs=[paragraph for paragraph in paragraphs if paragraph],
            captions=captions,
            replaced_captions=replaced,
        )


def _photo_heading():
    with translation.override("id"):
        return _("Photo captions:")


def _day(date):
    return formats.date_format(date, "l, j F Y")


def _date(date):
    return formats.date_format(date, "j F Y")


def _dates(start, end):
    """ "4 s.d. 8 Agustus 2025", or one date when the program lasts a day."""
    return _date(start) if start == end else date_range(start, end)


def _headline(data):
    facility = FACILITY_CLASS.sub("", data.facility.name)
    training = TRAINING_WORD.sub("", data.title) or data.title
    partners = [row.partner.name for row in data.partners]
    if not partners:
        return _("%(facility)s Holds Training in %(training)s for Inmates") % {
            "facility": facility,
            "training": training,
        }
    # The lead partner when there is one (the rows come lead first), else the first.
    return _(
        "%(facility)s Teams Up with %(partner)s to Hold Training in %(training)s for Inmates"
    ) % {
        "facility": facility,
        "partner": partners[0],
        "training": training,
    }


def _dateline_date(data):
    """The day the news speaks of: the closing of a closed program, else its opening."""
    if data.completion.closed:
        return data.closing.date if data.closing else data.last_day
    return data.opening.date if data.opening else data.program.start_date


def _dateline(data):
    return f"{data.facility.city} – {_day(_dateline_date(data))}"


def _place(data):
    return data.opening.place if data.opening else data.program.location


def _lead(data):
    count = len(data.participants)
    values = {"facility": data.facility.name, "title": data.title, "place": _place(data)}
    if count:
        who = ngettext(
            "%(facility)s holds the Pelatihan Kemandirian “%(title)s” for %(count)s inmate "
            "(WBP) at %(place)s.",
            "%(facility)s holds the Pelatihan Kemandirian “%(title)s” for %(count)s inmates "
            "(WBP) at %(place)s.",
            count,
        ) % {**values, "count": count}
    else:
        who = (
            _(
                "%(facility)s holds the Pelatihan Kemandirian “%(title)s” for inmates (WBP) at "
                "%(place)s."
            )
            % values
        )
    when = {
        "skill": data.program.get_skill_category_display().lower(),
        "dates": _dates(data.program.start_date, data.program.end_date),
        "jp": data.total_jp,
    }
    if data.total_jp:
        when = _("The %(skill)s training runs %(dates)s, %(jp)s lesson hours (JP) in all.") % when
    else:
        when = _("The %(skill)s training runs %(dates)s.") % when
    return f"{who} {when}"


ROLE_PHRASES = {
    ProgramPartner.Role.LEAD: gettext_lazy("the lead organiser of the training"),
    ProgramPartner.Role.CO_TRAINER: gettext_lazy("a co-trainer"),
    ProgramPartner.Role.MARKET: gettext_lazy("the partner marketing the products"),
}


def _partners(data):
    if not data.partners:
        return ""
    partners = join_names(
        _("%(partner)s as %(role)s") % {"partner": row.partner.name, "role": ROLE_PHRASES[row.role]}
        for row in data.partners
    )
    text = _("The training is held in cooperation with %(partners)s.") % {"partners": partners}
    if data.topics:
        topics = "; ".join(f"{topic.title} ({topic.jp} JP)" for topic in data.topics)
        text += " " + _("The material covers: %(topics)s.") % {"topics": topics}
    return text


def _participants(data):
    count = len(data.participants)
    if not count:
        return ""
    text = ngettext(
        "%(count)s inmate takes part in the training.",
        "%(count)s inmates take part in the training.",
        count,
    ) % {"count": count}
    if data.attendance.rate is not None:
        text += " " + _("Their average attendance is %(rate)s%%.") % {
            "rate": formats.number_format(data.attendance.rate, decimal_pos=1)
        }
    return text


def _guest(guest):
    """ "Yurdani (Kepala Lapas Narkotika Kelas IIA Kasongan)": the name, then the position
    followed by the organisation as Indonesian says it, the words they share said once
    ("Kepala Lapas" + "Lapas Narkotika …")."""
    position, organisation = guest.position.split(), guest.organisation.split()
    if " ".join(organisation) in " ".join(position):
        organisation = []
    overlap = next(
        (
            n
            for n in range(min(len(position), len(organisation)), 0, -1)
            if position[-n:] == organisation[:n]
        ),
        0,
    )
    office = " ".join(position + organisation[overlap:])
    return f"{guest.name} ({office})" if office else guest.name


def _event_when(event):
    values = {"date": _day(event.date), "place": event.place}
    if event.start_time:
        values["time"] = formats.time_format(event.start_time)
    return values


def _opening(data):
    event = data.opening
    if event is None:
        return ""
    values = _event_when(event)
    if "time" in values:
        text = (
            _("The training was officially opened on %(date)s at %(time)s in %(place)s.") % values
        )
    else:
        text = _("The training was officially opened on %(date)s in %(place)s.") % values
    guests = list(event.guests.all())
    if guests:
        text += " " + _("The opening was attended by %(guests)s.") % {
            "guests": join_names(_guest(guest) for guest in guests)
        }
    return text


def _quotes(data):
    """Marked places for the quotes, which only the people quoted can give."""
    facility = data.facility
    if facility.head_name:
        quotes = [
            _(
                "[Quote from the opening speech of the %(office)s, %(name)s: to be filled in "
                "before publishing.]"
            )
            % {"office": facility.head_office, "name": facility.head_name}
        ]
    else:
        quotes = [
            _(
                "[Quote from the opening speech of the %(office)s: to be filled in before "
                "publishing.]"
            )
            % {"office": facility.head_office}
        ]
    lead = next(
        (row.partner for row in data.partners if row.role == ProgramPartner.Role.LEAD), None
    )
    if lead is not None:
        speaker = ", ".join(part for part in (lead.head_name, lead.head_title) if part)
        quotes.append(
            _("[Quote from %(speaker)s: to be filled in before publishing.]")
            % {
                "speaker": speaker
                or _("the representative of %(partner)s") % {"partner": lead.name}
            }
        )
    return quotes


def _closing(data):
    completion = data.completion
    if not completion.closed:
        return ""
    event = data.closing
    if event is None:
        sentences = [_("The training ended on %(date)s.") % {"date": _day(data.last_day)}]
    else:
        values = _event_when(event)
        if "time" in values:
            sentences = [
                _("The training was closed on %(date)s at %(time)s in %(place)s.") % values
            ]
        else:
            sentences = [_("The training was closed on %(date)s in %(place)s.") % values]
        guests = list(event.guests.all())
        if guests:
            sentences.append(
                _("The closing was attended by %(guests)s.")
                % {"guests": join_names(_guest(guest) for guest in guests)}
            )
    outcomes = [
        (completion.completed, _("%(count)s completed the training")),
        (completion.not_completed, _("%(count)s did not yet meet the completion requirements")),
        (completion.withdrawn, _("%(count)s withdrew")),
        (completion.released, _("%(count)s were released before the training ended")),
        (completion.transferred, _("%(count)s were transferred to another facility")),
    ]
    said = [text % {"count": count} for count, text in outcomes if count]
    if said:
        sentences.append(
            _("Of the %(count)s participants, %(outcomes)s.")
            % {"count": len(data.participants), "outcomes": join_names(said)}
        )
    if completion.rate is not None:
        sentences.append(
            _("The completion rate is %(rate)s%%.")
            % {"rate": formats.number_format(completion.rate, decimal_pos=1)}
        )
    if data.certificates.count:
        sentences.append(
            ngettext(
                "%(count)s participant who completed it received a certificate.",
                "%(count)s participants who completed it received a certificate.",
                data.certificates.count,
            )
            % {"count": data.certificates.count}
        )
    if data.statements.count:
        sentences.append(
            ngettext(
                "%(count)s participant who could not finish received a statement of participation.",
                "%(count)s participants who could not finish received a statement of "
                "participation.",
                data.statements.count,
            )
            % {"count": data.statements.count}
        )
    return " ".join(sentences)


def _captions(data):
    """ "Foto 1: … (4 Agustus 2025)" for each documentation photo, sessions first; a caption
    that names an inmate of the facility (name or registration number) is replaced."""
    # (caption, date, the general caption for a photo without one)
    photos = [
        (
            photo.caption,
            photo.session.date,
            _("Training session: %(topic)s")
            % {"topic": photo.session.topic.title if photo.session.topic else data.title},
        )
        for photo in data.session_photos
    ] + [
        (
            photo.caption,
            timezone.localdate(photo.uploaded_at),
            _("Products made by the participants"),
        )
        for photo in data.products
    ]
    if not photos:
        return [], 0
    names = _inmate_pattern(data.facility)
    captions, replaced = [], 0
    for number, (caption, date, general) in enumerate(photos, start=1):
        caption = caption.strip()
        if caption and names is not None and names.search(caption):
            caption, replaced = "", replaced + 1
        captions.append(
            _("Photo %(number)s: %(caption)s (%(date)s)")
            % {"number": number, "caption": caption or general, "date": _date(date)}
        )
    return captions, replaced


def _inmate_pattern(facility):
    """A pattern matching any name or registration number of the facility's inmates as a
    whole word (one query), or None when it has none."""
    words = set()
    for name, number in Inmate.objects.filter(facility=facility).values_list(
        "full_name", "registration_number"
    ):
        words.update(word.strip() for word in (name, number) if word.strip())
    if not words:
        return None
    # Longest first, so that "Budi Setiawan" matches whole rather than as "Budi".
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def clean_text(text):
    """The posted text with newlines made plain and characters a document cannot hold taken out."""
    return NOT_IN_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def split_text(text):
    """(headline, paragraphs) of an edited text: the first line is the headline, and empty lines
    separate the paragraphs (a paragraph's own line breaks are kept)."""
    lines = text.strip().split("\n")
    headline, rest = lines[0].strip(), "\n".join(lines[1:])
    paragraphs = [
        "\n".join(line.rstrip() for line in block.strip().split("\n"))
        for block in re.split(r"\n\s*\n", rest)
        if block.strip()
    ]
    return headline, paragraphs


def as_html(text):
    """A standalone web page of the text, every character escaped."""
    headline, paragraphs = split_text(text)
    return render_to_string(
        "lapas_training/reports/news_download.html",
        {"headline": headline, "paragraphs": paragraphs},
    )


def as_docx(text):
    """A Word document of the text: the headline as a heading, then the paragraphs."""
    headline, paragraphs = split_text(text)
    document = docx.Document()
    document.core_properties.title = headline
    document.core_properties.language = "id-ID"
    document.add_heading(headline, level=1)
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        run = document.add_paragraph().add_run(lines[0])
        for line in lines[1:]:
            run.add_break()
            run.add_text(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
