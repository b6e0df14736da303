import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from attendance.models import AttendanceRecord
from certificates.models import Certificate
from inmates.models import FollowUp, Inmate
from inmates.outcomes import due_follow_ups
from lapas_training import demo
from lapas_training.models import Region, Role, User
from programs.models import (
    Enrollment,
    PnbpDeposit,
    Product,
    ProductionBatch,
    ProductPhoto,
    Program,
    ProgramEvent,
    ProgramPartner,
    Sale,
    SessionPhoto,
    TrainingSession,
)
from programs.products import premiums, sale_split
from tests.helpers import log_in

pytestmark = pytest.mark.django_db


def seed_demo():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts():
    """Rows of every table Django knows, history and many-to-many tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_seed_demo_twice_keeps_every_row_count():
    seed_demo()
    first = row_counts()
    seed_demo()
    assert row_counts() == first
    assert first["inmates.Inmate"] == 33
    # Each inmate's creation, and the release of the August program's early leaver.
    assert first["inmates.HistoricalInmate"] == 33 + 1
    assert first["programs.Enrollment"] == 38
    # Each enrolment's creation, the assessment of the 20 August participants, the leaver's
    # release and the outcomes closing fixed for the 19 who stayed.
    assert first["programs.HistoricalEnrollment"] == 38 + 20 + 1 + 19
    # Each mark with its history row: the August program's 19 over 5 days and the leaver's
    # Monday and Tuesday, then the running program's so far.
    august = AttendanceRecord.objects.filter(session__program__title=demo.STONES_TITLE)
    assert august.count() == 19 * 5 + 2
    assert first["attendance.AttendanceRecord"] == first["attendance.HistoricalAttendanceRecord"]
    # 17 certificates of completion and the leaver's statement.
    assert first["certificates.Certificate"] == 17 + 1
    # The opening and the closing with three guests each, and the documentation photos.
    assert first["programs.ProgramEvent"] == 2
    assert first["programs.ProgramEventGuest"] == 3 + 3
    assert first["programs.SessionPhoto"] == 3
    assert first["programs.ProductPhoto"] == 3
    # The leaver's answer to follow-up and his 3- and 6-month follow-ups.
    assert first["inmates.FollowUpConsent"] == 1
    assert first["inmates.FollowUp"] == 2


def test_seed_demo_shows_every_state_of_a_program():
    seed_demo()
    august = Program.objects.get(title=demo.STONES_TITLE)
    assert august.is_closed
    assert august.sessions.filter(status=TrainingSession.Status.HELD).count() == 5
    outcomes = dict(august.enrollments.values_list("inmate__full_name", "status"))
    assert list(outcomes.values()).count(Enrollment.Status.COMPLETED) == 17
    assert outcomes["Dedi Saputra"] == Enrollment.Status.RELEASED
    assert outcomes["Budi Setiawan"] == outcomes["Ramadhani"] == Enrollment.Status.NOT_COMPLETED
    certificates = Certificate.objects.filter(enrollment__program=august).order_by("sequence")
    first, *_others, statement = certificates
    assert (first.number, first.snapshot["issued_on"]) == ("001/LPN.KSG/PK/VIII/2025", "2025-08-08")
    assert statement.kind == Certificate.Kind.PARTICIPATION
    assert statement.snapshot["holder_name"] == "Dedi Saputra"

    running = Program.objects.get(title=demo.SEWING_TITLE)
    assert running.status == Program.Status.ACTIVE
    today = timezone.localdate()
    past = running.sessions.filter(date__lt=today)
    assert past.filter(status=TrainingSession.Status.HELD).exists()
    # The last past session is left unrecorded, for the program page to flag.
    assert past.order_by("-date").first().status == TrainingSession.Status.SCHEDULED


def test_seed_demo_tells_the_kasongan_story():
    seed_demo()
    program = Program.objects.get(title=demo.STONES_TITLE)
    assert program.facility.unit_code == "LPN.KSG"
    assert program.facility.head_name == "Yurdani"
    assert len(program.facility.head_nip) == 18
    assert (program.start_date, program.end_date) == (
        datetime.date(2025, 8, 4),
        datetime.date(2025, 8, 8),
    )
    assert program.location == "Aula Utama"
    assert program.enrollments.count() == 20
    assert {link.partner.name: link.role for link in program.program_partners.all()} == {
        "BLK Kota Palangka Raya": ProgramPartner.Role.LEAD,
        "LPK Multi Karya": ProgramPartner.Role.CO_TRAINER,
        "UMKM Marajaki Kreatif": ProgramPartner.Role.MARKET,
    }
    sessions = list(program.sessions.order_by("date").prefetch_related("trainers"))
    assert [s.date.weekday() for s in sessions] == [0, 1, 2, 3, 4]
    assert {(s.start_time, s.end_time) for s in sessions} == {
        (datetime.time(8, 0), datetime.time(12, 0))
    }
    assert all(s.topic_id and len(s.trainers.all()) == 1 for s in sessions)
    assert program.total_jp == 25


def test_seed_demo_opens_and_closes_the_kasongan_program_with_its_guests():
    seed_demo()
    program = Program.objects.get(title=demo.STONES_TITLE)
    opening = program.events.get(kind=ProgramEvent.Kind.OPENING)
    assert (opening.date, opening.start_time, opening.place) == (
        datetime.date(2025, 8, 4),
        datetime.time(8, 0),
        "Aula Utama",
    )
    assert list(opening.guests.values_list("name", "position", "organisation")) == [
        (
            "Yurdani",
            "Kepala Lapas Narkotika Kelas IIA Kasongan",
            "Lapas Narkotika Kelas IIA Kasongan",
        ),
        ("M. Noor Ikhsan", "Perwakilan BLK Kota Palangka Raya", "BLK Kota Palangka Raya"),
        ("Benny", "Pimpinan UMKM Marajaki Kreatif", "UMKM Marajaki Kreatif"),
    ]
    closing = program.events.get(kind=ProgramEvent.Kind.CLOSING)
    assert closing.date == program.end_date == datetime.date(2025, 8, 8)
    assert closing.guests.first().name == "Yurdani"


def test_seed_demo_documents_the_kasongan_program_with_photos(settings):
    seed_demo()
    program = Program.objects.get(title=demo.STONES_TITLE)
    session_photos = SessionPhoto.objects.filter(session__program=program).order_by("session__date")
    assert [photo.session.date.day for photo in session_photos] == [4, 5, 6]
    assert session_photos[0].caption == "Pembukaan pelatihan oleh Kalapas di Aula Utama"
    products = ProductPhoto.objects.filter(program=program).order_by("pk")
    assert [p.enrollment.inmate.full_name if p.enrollment else None for p in products] == [
        "Ahmad Fauzi",
        None,
        None,
    ]
    assert "batu Lilis" in products[1].caption
    for photo in [*session_photos, *products]:
        # Stored as uploads are: re-encoded under a random name, in the private folder.
        assert photo.image.name.startswith(f"private/{photo.upload_folder}/")
        with Image.open(photo.image.path) as image:
            assert (image.format, image.size) == ("JPEG", (1200, 800))
            assert not image.getexif()
        with Image.open(photo.thumbnail.path) as thumbnail:
            assert max(thumbnail.size) == 160
    files = sorted((settings.MEDIA_ROOT / "private").rglob("*.jpg"))
    assert len(files) == 2 * (3 + 3)
    seed_demo()
    assert sorted((settings.MEDIA_ROOT / "private").rglob("*.jpg")) == files


def test_seed_demo_links_each_trainer_to_a_partner():
    seed_demo()
    trainers = {
        user.username: (user.partner.name, user.facility.unit_code)
        for user in User.objects.filter(role=Role.TRAINER).select_related("partner", "facility")
    }
    assert trainers == {
        "trainer.blk": ("BLK Kota Palangka Raya", "LPN.KSG"),
        "trainer.lpk": ("LPK Multi Karya", "LPN.KSG"),
        "trainer.umkm": ("UMKM Marajaki Kreatif", "LPN.KSG"),
        "trainer.pbn": ("BLK Kabupaten Kotawaringin Barat", "RTN.PBN"),
    }


def test_seed_demo_puts_both_facilities_in_a_region_read_by_kanwil(client):
    seed_demo()
    region = Region.objects.get()
    assert (region.name, region.city) == ("Kanwil Kalimantan Tengah", "Palangka Raya")
    assert set(region.facilities.values_list("unit_code", flat=True)) == {"LPN.KSG", "RTN.PBN"}
    kanwil = User.objects.get(username="kanwil")
    assert (kanwil.role, kanwil.region, kanwil.facility, kanwil.is_superuser) == (
        Role.REGIONAL,
        region,
        None,
        False,
    )
    assert log_in(client, "kanwil", demo.DEMO_PASSWORD)
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:rollup")


def test_seed_demo_prints_the_accounts_but_no_address():
    output = seed_demo()
    for account in demo.ACCOUNTS:
        assert account.username in output
    assert demo.DEMO_PASSWORD in output
    # make run may serve on another port than 8000: only it prints the address.
    assert "http://" not in output


def test_seed_demo_admin_dashboard_shows_today_and_expiring_agreement(client):
    seed_demo()
    assert log_in(client, "admin", demo.DEMO_PASSWORD)
    page = client.get(reverse("dashboard")).content.decode()
    assert "No sessions today." not in page
    assert demo.SEWING_TITLE in page
    # The UMKM agreement ends in 30 days; no other partner is flagged.
    assert "UMKM Marajaki Kreatif" in page
    assert "BLK Kota Palangka Raya" not in page


def test_seed_demo_follows_the_early_leaver_after_his_release(client):
    seed_demo()
    dedi = Inmate.objects.get(full_name="Dedi Saputra")
    assert (dedi.follow_up_consent.consented, dedi.follow_up_consent.consented_on) == (
        True,
        demo.STONES_LEAVER_DATE,
    )
    assert dict(dedi.follow_ups.values_list("milestone", "status")) == {
        3: FollowUp.Status.LOOKING,
        6: FollowUp.Status.OWN_BUSINESS,
    }
    # His 12-month follow-up, due on 6 August 2026, waits for the staff: overdue a month later.
    due = due_follow_ups(dedi.facility, today=datetime.date(2026, 9, 7))
    assert [(item.inmate, item.milestone, item.overdue) for item in due] == [(dedi, 12, True)]
    assert log_in(client, "staff", demo.DEMO_PASSWORD)
    shown = " ".join(client.get(dedi.get_absolute_url()).content.decode().split())
    assert "Own business: Gelang dan kalung batu Lilis" in shown
    assert "source: Bapas (probation office)" in shown
    assert shown.count("Not recorded yet") == 1
    # The outcome report: at 6 months, 1 of 1 reached runs his own business with the skill.
    report = client.get(reverse("inmates:outcome_report")).content.decode()
    assert demo.STONES_TITLE in report
    assert "Dedi Saputra" not in report
    assert '100%<div class="small text-body-secondary">1 of 1</div>' in report


def test_seed_demo_trainer_dashboard_shows_only_their_partner(client):
    seed_demo()
    assert log_in(client, "trainer.blk", demo.DEMO_PASSWORD)
    page = client.get(reverse("dashboard"), follow=True).content.decode()
    assert demo.SEWING_TITLE not in page
    assert log_in(client, "trainer.lpk", demo.DEMO_PASSWORD)
    page = client.get(reverse("dashboard"), follow=True).content.decode()
    assert demo.SEWING_TITLE in page


def test_seed_demo_keeps_what_a_demo_user_changed():
    seed_demo()
    inmate = Inmate.objects.get(registration_number="B.I-101/2025")
    inmate.block = "Blok Isolasi"
    inmate.save()
    user = User.objects.get(username="admin")
    user.set_password("my-own-password-1")
    user.save()
    seed_demo()
    inmate.refresh_from_db()
    user.refresh_from_db()
    assert inmate.block == "Blok Isolasi"
    assert inmate.history.count() == 2
    assert user.check_password("my-own-password-1")


def test_seed_demo_moves_the_running_program_with_today():
    today = timezone.localdate()
    demo.seed(today=today)
    later = today + datetime.timedelta(days=9)
    demo.seed(today=later)
    program = Program.objects.get(title=demo.SEWING_TITLE)
    dates = list(program.sessions.values_list("date", flat=True))
    # Sessions with attendance stay, so the program starts at the first of them.
    recorded = program.sessions.filter(status=TrainingSession.Status.HELD)
    assert (
        program.start_date
        == min(recorded.values_list("date", flat=True))
        < later - (datetime.timedelta(days=7))
    )
    assert min(dates) >= program.start_date
    assert later in dates
    week_ago = later - datetime.timedelta(days=7)
    moved = demo.weekdays(week_ago, program.end_date, include=later)
    assert set(dates) == set(moved) | set(recorded.values_list("date", flat=True))
    assert TrainingSession.trainers.through.objects.filter(
        trainingsession__program=program
    ).count() == len(dates)


def test_seed_demo_sells_the_kasongan_products():
    seed_demo()

    program = Program.objects.get(title=demo.STONES_TITLE)
    stock = {p.name: p.stock for p in Product.objects.filter(program=program).with_stock()}
    # Gelang: 40 made - (25 + 6) sold + 1 refunded - 2 lost = 8; Kalung: 15 - 10 = 5.
    assert stock == {"Gelang batu Lilis": 8, "Kalung batu Lilis": 5}
    splits = [sale_split(sale) for sale in Sale.objects.with_refunded().order_by("date", "pk")]
    # 24 x 25.000, 10 x 45.000 through the UMKM, 6 x 30.000 at the exhibition; 40/20/40.
    assert [(s.total, s.premium, s.partner, s.pnbp) for s in splits] == [
        (600_000, 240_000, 120_000, 240_000),
        (450_000, 180_000, 90_000, 180_000),
        (180_000, 72_000, 36_000, 72_000),
    ]
    assert PnbpDeposit.objects.get().amount == 240_000
    necklaces = ProductionBatch.objects.get(product__name="Kalung batu Lilis")
    # 180.000 over shares 4, 4, 1, 1, 1, 1, 1 (13): 55.384,6 and 13.846,2 each; the two rupiah
    # left go to the largest remainders, the two makers of four.
    assert sorted(premiums(ProductionBatch.objects.all())[necklaces.pk].values()) == [
        *[13_846] * 5,
        55_385,
        55_385,
    ]
