"""The draft news item (berita kegiatan) of a program: what it tells, what it never tells, the
downloads of the edited text, who may read it and what bad input gets."""

import datetime
import io
from html.parser import HTMLParser

import docx
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from inmates.models import Inmate
from lapas_training.demo import STONES_TITLE, seed
from lapas_training.models import User
from lapas_training.reports.news import MAX_TEXT_LENGTH, news_draft
from programs.models import (
    Partner,
    ProductPhoto,
    Program,
    ProgramEvent,
    ProgramEventGuest,
    SessionPhoto,
)
from tests.certificates import enrol, make_sessions
from tests.factories import InmateFactory, TrainingSessionFactory
from tests.helpers import assert_answer, form_as_rendered, page

EDITED = (
    "Judul yang Disunting & <Diperiksa>\n\n"
    "Kasongan – Paragraf pertama yang disunting.\nBaris kedua <script>alert(1)</script>.\n\n"
    "Paragraf kedua: 5 < 6 & “kutipan”."
)


def add_photo(model, **fields):
    """A photo row; the news item reads its caption and date, never its file."""
    name = f"private/{model.upload_folder}/{model.objects.count()}.jpg"
    return model.objects.create(image=name, thumbnail=name, **fields)


def indonesian_date(date, fmt="j F Y"):
    with translation.override("id"):
        return date_format(date, fmt)


@pytest.fixture
def demo(db):
    """The demo data; the August program of the founding story."""
    seed(today=datetime.date(2026, 3, 2))
    return Program.objects.select_related("facility").get(title=STONES_TITLE)


# --- what the draft tells ------------------------------------------------------------------


def test_news_draft_tells_the_demo_story(demo):
    opening = demo.events.get(kind=ProgramEvent.Kind.OPENING)
    guests = list(opening.guests.all())

    draft = news_draft(demo)
    text = draft.text

    assert draft.headline == (
        "Lapas Narkotika Kasongan Gandeng BLK Kota Palangka Raya Gelar Pelatihan Aksesoris "
        "Gelang dan Kalung Batu bagi Warga Binaan"
    )
    assert text.startswith(draft.headline + "\n\nKasongan – ")
    assert "Lapas Narkotika Kelas IIA Kasongan menggelar Pelatihan Kemandirian" in text
    assert "“Aksesoris Gelang dan Kalung Batu”" in text
    for partner in Partner.objects.filter(programs=demo):
        assert partner.name in text
    assert "BLK Kota Palangka Raya selaku penyelenggara utama pelatihan" in text
    assert "UMKM Marajaki Kreatif selaku mitra pemasaran hasil karya" in text
    assert "bagi 20 warga binaan" in text
    assert "Sebanyak 20 warga binaan mengikuti pelatihan ini." in text
    # The opening: on Monday 4 August 2025 in the Aula Utama, with its guests.
    assert opening.date == datetime.date(2025, 8, 4)
    assert "dibuka secara resmi pada Senin, 4 Agustus 2025" in text
    assert f"di {opening.place}" in text and opening.place == "Aula Utama"
    assert guests
    for guest in guests:
        assert guest.name in text
        assert guest.position in text
    assert "[Kutipan sambutan Kepala Lapas Narkotika Kelas IIA Kasongan, Yurdani" in text
    # Closed: the outcome, counted from the enrolments.
    completed = demo.enrollments.filter(status="completed").count()
    assert f"Dari 20 peserta, {completed} orang dinyatakan lulus" in text
    assert "Melalui pelatihan ini" in text


def test_news_draft_names_no_inmate(demo):
    admin = User.objects.get(username="admin")
    leaver = demo.enrollments.select_related("inmate").first()
    session = demo.sessions.order_by("date").first()
    # Captions that name a participant, as an officer might type them.
    add_photo(
        SessionPhoto,
        session=session,
        caption=f"{leaver.inmate.full_name} merangkai gelang",
        uploaded_by=admin,
    )
    add_photo(
        ProductPhoto,
        program=demo,
        enrollment=leaver,
        caption=f"Kalung karya WBP {leaver.inmate.registration_number.lower()}",
        uploaded_by=admin,
    )

    draft = news_draft(demo)

    assert draft.replaced_captions == 2
    assert Inmate.objects.count() >= 25
    for name, number in Inmate.objects.values_list("full_name", "registration_number"):
        assert name not in draft.text
        assert number not in draft.text


def test_news_draft_captions_the_documentation_photos(demo):
    admin = User.objects.get(username="admin")
    session = demo.sessions.order_by("date").first()
    add_photo(
        SessionPhoto,
        session=session,
        caption="Peserta mengenal jenis batu Lilis",
        uploaded_by=admin,
    )
    add_photo(ProductPhoto, program=demo, caption="", uploaded_by=admin)
    photos = SessionPhoto.objects.filter(session__program=demo).count()
    photos += ProductPhoto.objects.filter(program=demo).count()

    draft = news_draft(demo)

    assert len(draft.captions) == photos
    assert "\n\nKeterangan foto:\nFoto 1: " in draft.text
    assert "Peserta mengenal jenis batu Lilis (Senin, 4 Agustus 2025)" not in draft.text
    assert "Peserta mengenal jenis batu Lilis (4 Agustus 2025)" in draft.text
    # A photo without a caption gets a general one, dated the day it was taken in.
    uploaded = indonesian_date(timezone.localdate())
    assert draft.captions[-1] == f"Foto {photos}: Hasil karya peserta pelatihan ({uploaded})"


def test_news_draft_tells_the_closing_and_dates_the_news_by_it(demo):
    closing, _created = ProgramEvent.objects.update_or_create(
        program=demo,
        kind=ProgramEvent.Kind.CLOSING,
        defaults={
            "date": datetime.date(2025, 8, 8),
            "start_time": datetime.time(11, 0),
            "place": "Aula Utama",
        },
    )
    ProgramEventGuest.objects.create(
        event=closing, order=99, name="Sri Wahyuni", position="Kepala Seksi", organisation="Bimker"
    )

    draft = news_draft(demo)

    assert draft.dateline == "Kasongan – Jumat, 8 Agustus 2025"
    assert "Pelatihan ditutup pada Jumat, 8 Agustus 2025 pukul 11.00 di Aula Utama." in draft.text
    assert "Sri Wahyuni (Kepala Seksi Bimker)." in draft.text
    certificates = demo.enrollments.filter(certificates__kind="completion").count()
    assert f"Sebanyak {certificates} peserta yang lulus menerima sertifikat" in draft.text


def test_news_draft_of_a_running_program_tells_no_outcome(program):
    program.start_date, program.end_date = datetime.date(2025, 8, 4), datetime.date(2025, 8, 8)
    program.location = "Ruang Bimker"
    program.save()

    draft = news_draft(program)

    # No opening recorded: the program's own start and place.
    assert draft.dateline == f"{program.facility.city} – Senin, 4 Agustus 2025"
    assert "bertempat di Ruang Bimker" in draft.text
    assert "ditutup" not in draft.text and "dinyatakan lulus" not in draft.text
    assert "Pelatihan berakhir" not in draft.text


def test_news_draft_is_indonesian_whatever_the_language(client_for, viewer_user, program):
    response = client_for(viewer_user).get(reverse("reports:news", args=[program.pk]))

    # The page speaks English (the tests' language); the draft in its text area does not.
    html = page(response)
    assert "News item (draft)" in html
    assert "menggelar Pelatihan Kemandirian" in form_as_rendered(response, "text")["text"][0]


# --- the page --------------------------------------------------------------------------------


def test_news_page_says_the_app_never_publishes(client_for, staff_user, program):
    html = page(client_for(staff_user).get(reverse("reports:news", args=[program.pk])))

    assert "This app never publishes anything" in html
    assert 'data-testid="discreet-warning"' not in html


def test_news_page_warns_that_a_discreet_program_names_the_prison(client_for, staff_user, program):
    program.discreet_issuing = True
    program.save(update_fields=["discreet_issuing"])

    html = page(client_for(staff_user).get(reverse("reports:news", args=[program.pk])))

    assert 'data-testid="discreet-warning"' in html
    assert "names the prison alongside the partners" in html


def test_program_page_links_the_news_item(client_for, users, program):
    url = reverse("reports:news", args=[program.pk])

    assert url in page(client_for(users["viewer"]).get(program.get_absolute_url()))
    assert url not in page(client_for(users["trainer"]).get(program.get_absolute_url()))


# --- the downloads of the edited text -----------------------------------------------------


def download(client, program, fmt, text=EDITED):
    return client.post(
        reverse("reports:news_download", args=[program.pk]), {"text": text, "fmt": fmt}
    )


def test_news_download_txt_carries_the_edited_text(client_for, staff_user, program):
    # As a browser posts a text area: CRLF line ends.
    response = download(client_for(staff_user), program, "txt", EDITED.replace("\n", "\r\n"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        'filename="berita-kegiatan-Aksesoris-Gelang-dan-Kalung-Batu.txt"'
        in (response["Content-Disposition"])
    )
    assert response.content.decode() == EDITED + "\n"


class _Reader(HTMLParser):
    """The page's title, headline and paragraphs, and whether every element was closed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.texts, self.scripts = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        if tag not in {"meta", "br"}:
            self.open.append(tag)
            self.texts.append([tag, ""])

    def handle_endtag(self, tag):
        assert self.open.pop() == tag

    def handle_data(self, data):
        if self.open:
            self.texts.append([self.open[-1], data])

    def of(self, tag):
        return ["".join(t for name, t in self.texts if name == tag and t)]


def test_news_download_html_is_an_escaped_standalone_page(client_for, viewer_user, program):
    response = download(client_for(viewer_user), program, "html")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    html = response.content.decode()
    assert html.startswith("<!doctype html>")
    assert '<html lang="id">' in html
    reader = _Reader()
    reader.feed(html)
    reader.close()
    assert reader.open == []
    assert reader.scripts == 0
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert reader.of("title") == ["Judul yang Disunting & <Diperiksa>"]
    assert reader.of("h1") == ["Judul yang Disunting & <Diperiksa>"]
    paragraphs = html.split("<p>")[1:]
    assert len(paragraphs) == 2
    assert "Kasongan – Paragraf pertama yang disunting.<br>Baris kedua" in paragraphs[0]
    assert "Paragraf kedua: 5 &lt; 6 &amp; “kutipan”." in paragraphs[1]


def test_news_download_docx_has_the_headline_and_paragraphs(client_for, admin_user, program):
    response = download(client_for(admin_user), program, "docx")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"].endswith('.docx"')
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs == [
        ("Heading 1", "Judul yang Disunting & <Diperiksa>"),
        (
            "Normal",
            "Kasongan – Paragraf pertama yang disunting.\nBaris kedua <script>alert(1)</script>.",
        ),
        ("Normal", "Paragraf kedua: 5 < 6 & “kutipan”."),
    ]
    assert document.core_properties.title == "Judul yang Disunting & <Diperiksa>"


def test_news_download_of_the_draft_as_rendered(client_for, staff_user, program):
    """What the page's form posts unchanged downloads as the draft itself."""
    client = client_for(staff_user)
    response = client.get(reverse("reports:news", args=[program.pk]))
    data = form_as_rendered(response, "text") | {"fmt": "txt"}

    download = client.post(reverse("reports:news_download", args=[program.pk]), data)

    assert download.content.decode() == news_draft(program).text + "\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fmt": "txt"}, "The text is empty"),
        ({"text": " \r\n\t ", "fmt": "docx"}, "The text is empty"),
        (
            {"text": "x" * (MAX_TEXT_LENGTH + 1), "fmt": "html"},
            "The text is too long: at most 20,000 characters, and it has 20,001.",
        ),
        ({"text": "Judul\n\nIsi", "fmt": "pdf"}, "Choose a format to download"),
        ({"text": "Judul\x00\n\nIsi", "fmt": "docx"}, "Null characters are not allowed."),
        ({"text": "Judul\n\nIsi"}, "Choose a format to download"),
    ],
)
def test_news_download_refuses_bad_input(client_for, staff_user, program, data, message):
    response = client_for(staff_user).post(
        reverse("reports:news_download", args=[program.pk]), data
    )

    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert response["Content-Type"].startswith("text/html")
    assert message in page(response)
    # The officer's text comes back to be corrected, not lost.
    if data.get("text", "").strip():
        assert form_as_rendered(response, "text")["text"] == [data["text"]]


def test_news_download_takes_out_characters_a_document_cannot_hold(client_for, staff_user, program):
    response = download(client_for(staff_user), program, "docx", "Judul\x0b\x1b\n\nIsi\x07 berita")

    document = docx.Document(io.BytesIO(response.content))
    assert [p.text for p in document.paragraphs] == ["Judul", "Isi berita"]


# --- access ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("admin", 200),
        ("staff", 200),
        ("viewer", 200),
        ("trainer", 403),
        ("regional", 403),
        # Another facility's program is not theirs to know of.
        ("outsider", 404),
    ],
)
def test_news_access(client_for, users, regional_user, program, who, expected):
    client = client_for(regional_user if who == "regional" else users.get(who))

    assert_answer(client.get(reverse("reports:news", args=[program.pk])), expected)
    response = download(client, program, "txt")
    assert_answer(response, expected)
    if expected == 200:
        assert response.content.decode() == EDITED + "\n"


def test_news_of_another_facility_program_is_404(client_for, admin_user, outside_program):
    client = client_for(admin_user)

    assert client.get(reverse("reports:news", args=[outside_program.pk])).status_code == 404
    assert download(client, outside_program, "txt").status_code == 404


def test_news_download_refuses_get(client_for, admin_user, program):
    response = client_for(admin_user).get(reverse("reports:news_download", args=[program.pk]))

    assert response.status_code == 405


def test_news_page_refuses_post(client_for, admin_user, program):
    response = client_for(admin_user).post(reverse("reports:news", args=[program.pk]))

    assert response.status_code == 405


def test_news_draft_scrubs_a_name_of_the_facility_typed_in_any_case(admin_user, program):
    InmateFactory(facility=program.facility, full_name="Budi Setiawan")
    session = TrainingSessionFactory(program=program)
    add_photo(
        SessionPhoto,
        session=session,
        caption="Pak BUDI SETIAWAN menunjukkan gelang",
        uploaded_by=admin_user,
    )

    draft = news_draft(program)

    assert draft.replaced_captions == 1
    assert "budi" not in draft.text.lower()


# --- fixed cost ----------------------------------------------------------------------------


def _grow(program, admin_user, size):
    """`size` participants with a mark in each of two sessions, and a photo of each kind."""
    sessions = make_sessions(program, 2)
    for _ in range(size):
        enrol(program, sessions, ["H", "T"])
    for n in range(size // 5):
        add_photo(SessionPhoto, session=sessions[0], caption=f"Sesi {n}", uploaded_by=admin_user)
        add_photo(ProductPhoto, program=program, uploaded_by=admin_user)


@pytest.mark.parametrize("size", [5, 50])
def test_news_page_costs_the_same_queries_whatever_the_size(
    client_for, django_assert_num_queries, admin_user, program, size
):
    _grow(program, admin_user, size)
    client = client_for(admin_user)
    url = reverse("reports:news", args=[program.pk])

    # The session, the user, the facility (scope), the program; then activity_data's: the
    # program, partners, their agreements, topics, trainers, events (no guests to fetch here),
    # the recap's sessions, enrolments and records, certificates, session photos, product
    # photos, products with their stock and their sales; and the facility's inmates to check
    # the captions against.
    with django_assert_num_queries(19):
        response = client.get(url)

    assert response.status_code == 200
