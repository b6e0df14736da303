"""Certificate rows made directly, with a snapshot that follows the issuing contract.

Issuing (certificates.services) is built separately; these tests need only the stored rows.
"""

import datetime
import secrets

from django.utils import timezone

from certificates.models import Certificate
from tests.factories import EnrollmentFactory, ProgramTopicFactory


def snapshot_for(enrollment, *, number, holder_name=None, discreet=False, kind="completion"):
    program = enrollment.program
    facility = program.facility
    links = list(program.program_partners.select_related("partner").order_by("role"))
    partners = [{"name": link.partner.name, "role": link.role} for link in links]
    lead = next(link.partner for link in links if link.role == "lead")
    topics = [{"title": t.title, "jp": t.jp} for t in program.topics.order_by("pk")]
    signatories = [{"office": f"Kepala {lead.name}", "name": "M. Noor Ikhsan", "nip": ""}]
    if not discreet:
        signatories.insert(
            0, {"office": f"Kepala {facility.name}", "name": "Yurdani", "nip": "197401011999031001"}
        )
    snapshot = {
        "kind": kind,
        "number": number,
        "holder_name": holder_name or enrollment.inmate.full_name,
        "program_title": program.title,
        "skill_category": "Kerajinan tangan",
        "start_date": program.start_date.isoformat(),
        "end_date": program.end_date.isoformat(),
        "place": program.location,
        "total_jp": sum(t["jp"] for t in topics),
        "topics": topics,
        "partners": partners,
        "discreet": discreet,
        "issuer": {"name": lead.name if discreet else facility.name, "city": facility.city},
        "signatories": signatories,
        "issued_on": program.end_date.isoformat(),
        "place_of_issue": "" if discreet else facility.city,
        "assessment_result": "Kompeten" if kind == "completion" else "",
        "instructors": ["Siti Rahmawati"],
        "attendance": {"attended": 5, "counted": 5, "percent": 100.0},
        "participation": None,
    }
    if not discreet:
        snapshot["facility"] = {
            "name": facility.name,
            "unit_code": facility.unit_code,
            "city": facility.city,
        }
    if kind == "participation":
        snapshot["participation"] = {
            "sessions_attended": 3,
            "sessions_total": 5,
            "jp_attended": 15,
            "reason": "Bebas",
        }
    return snapshot


def make_certificate(
    program,
    issued_by,
    *,
    sequence=1,
    holder_name=None,
    discreet=False,
    kind="completion",
    inmate=None,
):
    """A stored certificate for a new enrolment in `program` (with two topics if it has none)."""
    if not program.topics.exists():
        ProgramTopicFactory(program=program, title="Mengenal batu dan alat", jp=10)
        ProgramTopicFactory(program=program, title="Merangkai gelang", jp=15)
    enrollment = (
        EnrollmentFactory(program=program, inmate=inmate)
        if inmate
        else EnrollmentFactory(program=program)
    )
    number = f"{sequence:03d}/{program.facility.unit_code}/PK/VIII/2025"
    return Certificate.objects.create(
        enrollment=enrollment,
        facility=program.facility,
        kind=kind,
        year=2025,
        sequence=sequence,
        number=number,
        verification_code=secrets.token_urlsafe(16),
        snapshot=snapshot_for(
            enrollment, number=number, holder_name=holder_name, discreet=discreet, kind=kind
        ),
        issued_at=timezone.make_aware(datetime.datetime(2025, 8, 8, 10, 0)),
        issued_by=issued_by,
    )
