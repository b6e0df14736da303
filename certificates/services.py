"""Issuing, numbering, revoking and reissuing certificates.

Each workflow is one keyword-only function in one transaction that validates before it saves.
Numbers come from `next_numbers`, which locks the facility's `CertificateCounter` row for the
rest of the transaction: concurrent issuers queue on that lock, and a failure anywhere rolls the
increment back with the certificates, so the numbers stay gap-free.

On SQLite (the laptop install) a transaction holds the whole database's write lock from its
start (`transaction_mode` IMMEDIATE), so every other writer, a bulk print's progress included,
waits for it. Issuing therefore keeps its query count flat whatever the batch: what all the papers
of a program share is read once (`ProgramPaper`), the numbers are taken in one step, and the
certificates and their history rows are inserted in bulk. Measured beside a running bulk print:
800 certificates held the lock 42 s at eleven queries each (the print failed), 4 s now.

Each certificate of completion is signed as an Open Badges credential in the same transaction
(`certificates.credentials`), and revoking one sets its bit in the issuer's status list, so a
paper and its credential never disagree.
"""

import copy
import secrets
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from attendance.models import ATTENDED_STATUSES
from attendance.pdf import facility_signatory, partner_signatory
from attendance.rules import program_recap
from certificates import credentials
from certificates.completion import STATEMENT_STATUSES, completion_verdicts
from certificates.models import Certificate, CertificateCounter
from programs.models import Enrollment, Program, ProgramPartner, TrainingSession

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# Printed words, fixed at issue time in the certificate's language (Indonesian).
ASSESSMENT_WORDS = {
    Enrollment.Result.COMPETENT: "Kompeten",
    Enrollment.Result.NOT_YET_COMPETENT: "Belum kompeten",
}
# simple_history keeps a change reason in a 100-character column.
HISTORY_REASON_LENGTH = 100


def format_number(pattern, *, sequence, issued_on, **codes):
    """`pattern` with its placeholders filled: {seq}, {month_roman}, {month}, {year} and the
    series' code, {unit_code} for a facility or {partner_code} for a partner's discreet series.

    Raises ValidationError when the pattern names an unknown placeholder or is malformed.
    """
    values = {
        "seq": sequence,
        "month_roman": ROMAN_MONTHS[issued_on.month - 1],
        "month": issued_on.month,
        "year": issued_on.year,
        **codes,
    }
    try:
        return pattern.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        raise ValidationError(
            _("The certificate number pattern is invalid: %(error)s") % {"error": error}
        ) from error


def discreet_series(program):
    """The lead partner whose number series `program`'s certificates take, or None.

    None unless the program issues discreetly. Raises ValidationError when a discreet program
    has no lead partner, or its lead has no certificate code. One query for a discreet program.
    """
    if not program.discreet_issuing:
        return None
    link = (
        ProgramPartner.objects.filter(program=program, role=ProgramPartner.Role.LEAD)
        .select_related("partner")
        .first()
    )
    if link is None:
        raise ValidationError(
            _("This program issues discreetly but has no lead partner to name as the issuer.")
        )
    if not link.partner.certificate_code:
        raise ValidationError(
            _(
                "Discreet certificates are numbered in the lead partner's own series: set the "
                "certificate code of %(partner)s first."
            )
            % {"partner": link.partner}
        )
    return link.partner


@transaction.atomic
def next_numbers(*, facility, issued_on, partner=None, count=1):
    """Take the next `count` sequences of a series for `issued_on`'s year, in order, as
    (sequence, formatted number) pairs.

    The series is the facility's, or `partner`'s for discreet certificates (its pattern and
    code, so that the number never names the facility). Locks the counter row until the
    surrounding transaction ends; call it inside the transaction that saves the certificates,
    so that a rollback returns the numbers. 2 to 4 queries whatever the count.
    """
    counter, _created = CertificateCounter.objects.get_or_create(
        facility=facility, partner=partner, year=issued_on.year
    )
    counter = CertificateCounter.objects.select_for_update().get(pk=counter.pk)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    if partner is None:
        pattern, codes = facility.certificate_number_pattern, {"unit_code": facility.unit_code}
    else:
        pattern, codes = (
            partner.certificate_number_pattern,
            {"partner_code": partner.certificate_code},
        )
    return [
        (sequence, format_number(pattern, sequence=sequence, issued_on=issued_on, **codes))
        for sequence in range(first, counter.last + 1)
    ]


def _lead_partner(partner_links):
    return next(
        (link.partner for link in partner_links if link.role == ProgramPartner.Role.LEAD), None
    )


def _jp_attended(recap_row, topics_by_id, total_jp, sessions):
    """JP of the sessions attended, rounded down so a statement never claims more.

    A session carries its topic's JP shared evenly among the (not cancelled) sessions of that
    topic; a session without a topic carries an even share of the program's total JP over all
    its (not cancelled) sessions. A program whose sessions all have one topic each gives exactly
    the sum of the attended topics' JP.
    """
    held = [session for session in sessions if not session.is_cancelled]
    per_topic = {}
    for session in held:
        if session.topic_id:
            per_topic[session.topic_id] = per_topic.get(session.topic_id, 0) + 1
    total = Decimal(0)
    for cell in recap_row.cells:
        if not (cell.counted and cell.status in ATTENDED_STATUSES):
            continue
        topic = topics_by_id.get(cell.session.topic_id)
        if topic is not None:
            total += Decimal(topic.jp) / per_topic[topic.pk]
        elif held:
            total += Decimal(total_jp) / len(held)
    return int(total.to_integral_value(rounding=ROUND_DOWN))


def _participation(enrollment, recap_row, topics, total_jp):
    sessions = list(
        TrainingSession.objects.filter(program=enrollment.program).only("pk", "status", "topic")
    )
    if enrollment.program.discreet_issuing:
        # "Bebas" or "Mutasi ke Lapas …" would tell an employer where the holder was.
        reason = "hal di luar pelatihan"
    elif enrollment.status == Enrollment.Status.RELEASED:
        reason = "Bebas"
    elif enrollment.inmate.transfer_destination:
        reason = f"Mutasi ke {enrollment.inmate.transfer_destination}"
    else:
        reason = "Mutasi"
    return {
        "sessions_attended": recap_row.attended,
        # Every session the program holds (not cancelled), so the letter says how much was missed.
        "sessions_total": sum(not session.is_cancelled for session in sessions),
        "jp_attended": _jp_attended(
            recap_row, {topic.pk: topic for topic in topics}, total_jp, sessions
        ),
        "reason": reason,
    }


class ProgramPaper:
    """What every paper of `program` prints alike, read once (about 4 queries) so that a batch
    of certificates builds each holder's snapshot without querying again.

    Discreet programs name the lead partner as issuer and leave the facility out entirely
    (no "facility" or "letterhead" key, only the partner's signatory signs, no place of issue);
    refuses (ValidationError) a discreet program without a lead partner.
    """

    def __init__(self, program):
        facility = program.facility
        self.topics = list(program.topics.order_by("order", "pk"))
        partner_links = list(
            ProgramPartner.objects.filter(program=program)
            .select_related("partner")
            .order_by("role", "partner__name")
        )
        lead = _lead_partner(partner_links)
        if program.discreet_issuing and lead is None:
            raise ValidationError(
                _("This program issues discreetly but has no lead partner to name as the issuer.")
            )
        # Lead first, then the others by role and name.
        partner_links.sort(key=lambda link: link.role != ProgramPartner.Role.LEAD)
        instructors = sorted(
            {
                trainer.get_full_name() or trainer.username
                for session in program.sessions.prefetch_related("trainers")
                for trainer in session.trainers.all()
            }
        )
        self.total_jp = sum(topic.jp for topic in self.topics)
        with translation.override("id"):
            skill_category = str(program.get_skill_category_display())
        lead_signatory = partner_signatory(lead) if lead is not None else None
        if program.discreet_issuing:
            issuer = {"name": lead.name, "city": ""}
            signatories = [lead_signatory]
            place_of_issue = ""
        else:
            issuer = {"name": facility.name, "city": facility.city}
            signatories = [facility_signatory(facility)]
            if lead_signatory:
                signatories.append(lead_signatory)
            place_of_issue = facility.city
        self.fields = {
            "program_title": program.title,
            "skill_category": skill_category,
            "start_date": program.start_date.isoformat(),
            "end_date": program.end_date.isoformat(),
            "place": program.location,
            "total_jp": self.total_jp,
            "topics": [{"title": topic.title, "jp": topic.jp} for topic in self.topics],
            "partners": [{"name": link.partner.name, "role": link.role} for link in partner_links],
            "discreet": program.discreet_issuing,
            "issuer": issuer,
            "signatories": signatories,
            "place_of_issue": place_of_issue,
            "instructors": instructors,
        }
        if not program.discreet_issuing:
            self.fields["facility"] = {
                "name": facility.name,
                "unit_code": facility.unit_code,
                "city": facility.city,
            }
            # The statement's heading as the facility's letterhead read on the day of issue.
            self.fields["letterhead"] = facility.letterhead()


def build_snapshot(*, enrollment, kind, issued_on, recap_row, paper=None):
    """Everything a certificate prints, frozen as JSON (the snapshot contract of issue #5).

    `paper` is the program's `ProgramPaper`, read here when not given (about 4 queries); no
    other query but a statement's sessions. Never includes a registration number. "number"
    is left empty for the caller to fill.
    """
    paper = paper or ProgramPaper(enrollment.program)
    percent = recap_row.percent
    snapshot = {
        # A copy: the certificates of one batch must not share the lists they print.
        **copy.deepcopy(paper.fields),
        "kind": kind,
        "number": "",
        "holder_name": enrollment.inmate.full_name,
        "issued_on": issued_on.isoformat(),
        "assessment_result": ASSESSMENT_WORDS.get(enrollment.assessment_result, ""),
        "attendance": {
            "attended": recap_row.attended,
            "counted": recap_row.counted,
            "percent": float(percent) if percent is not None else None,
        },
        "participation": None,
    }
    if kind == Certificate.Kind.PARTICIPATION:
        snapshot["participation"] = _participation(
            enrollment, recap_row, paper.topics, paper.total_jp
        )
    return snapshot


def _new_certificate(
    *, enrollment, kind, issued_on, numbered, snapshot, by, series_partner=None, replaces=None
):
    """An unsaved certificate numbered `numbered` (a pair of `next_numbers`), with its code."""
    sequence, number = numbered
    snapshot["number"] = number
    return Certificate(
        enrollment=enrollment,
        facility=enrollment.program.facility,
        kind=kind,
        series_partner=series_partner,
        year=issued_on.year,
        sequence=sequence,
        number=number,
        # 24 random bytes: 192 bits, URL-safe, printed in the QR code.
        verification_code=secrets.token_urlsafe(24),
        snapshot=snapshot,
        issued_at=timezone.now(),
        issued_by=by,
        replaces=replaces,
    )


def _save_certificate(
    *, enrollment, kind, issued_on, snapshot_for, by, series_partner=None, replaces=None
):
    """Number, code and row of one certificate; `snapshot_for()` builds its snapshot."""
    [numbered] = next_numbers(
        facility=enrollment.program.facility, issued_on=issued_on, partner=series_partner
    )
    certificate = _new_certificate(
        enrollment=enrollment,
        kind=kind,
        issued_on=issued_on,
        numbered=numbered,
        snapshot=snapshot_for(),
        by=by,
        series_partner=series_partner,
        replaces=replaces,
    )
    certificate.save()
    return certificate


def check_issue_date(program, issued_on):
    """Refuse a date of issue before the program's last session or in the future (no query)."""
    if issued_on > timezone.localdate():
        raise ValidationError(_("The date of issue cannot be in the future."))
    if issued_on < program.end_date:
        raise ValidationError(
            _("The date of issue cannot be before the program ends (%(date)s).")
            % {"date": date_format(program.end_date)}
        )


@transaction.atomic
def issue_certificates(*, program, by, enrollments=None, issued_on=None):
    """Issue certificates of completion in a closed `program`; returns them by name.

    `enrollments` None means every participant who completed and holds no certificate yet.
    Refuses the whole batch (ValidationError, nothing saved) when the program is not closed,
    the date is before its end or in the future, or one enrolment is not of the program, did
    not complete or already holds a valid certificate.

    The program's row is locked first, so two admins (or a double click) issuing at once
    queue: the second sees the certificates the first issued instead of a constraint error.
    A fixed number of queries but for the two bulk inserts, which SQLite splits by its
    parameter limit: 32 for 400 certificates (see the module's docstring).
    """
    issued_on = issued_on or timezone.localdate()
    program = Program.objects.select_for_update().select_related("facility").get(pk=program.pk)
    if not program.is_closed:
        raise ValidationError(
            _(
                "Certificates of completion are issued once the program is closed, after its "
                "last session. Close the program first."
            )
        )
    check_issue_date(program, issued_on)
    verdicts = completion_verdicts(program)
    if enrollments is None:
        verdicts = [verdict for verdict in verdicts if verdict.can_issue]
        if not verdicts:
            raise ValidationError(
                _("Everyone who completed the program already holds a certificate.")
            )
        wanted = {verdict.enrollment.pk for verdict in verdicts}
    else:
        wanted = {enrollment.pk for enrollment in enrollments}
        if not wanted:
            raise ValidationError(_("Choose at least one eligible participant."))
        verdicts = [v for v in verdicts if v.enrollment.pk in wanted]
    problems = []
    if len(verdicts) != len(wanted):
        problems.append(_("Some of the chosen participants are not enrolled in this program."))
    for verdict in verdicts:
        name = verdict.enrollment.inmate.full_name
        if verdict.certificate is not None:
            problems.append(
                _("%(name)s already holds certificate %(number)s.")
                % {"name": name, "number": verdict.certificate.number}
            )
        elif not verdict.eligible:
            problems.append(
                _("%(name)s is not eligible: %(reasons)s")
                % {"name": name, "reasons": " ".join(verdict.reasons)}
            )
    if problems:
        raise ValidationError(problems)
    series_partner = discreet_series(program)
    paper = ProgramPaper(program)
    numbers = next_numbers(
        facility=program.facility,
        issued_on=issued_on,
        partner=series_partner,
        count=len(verdicts),
    )
    certificates = []
    for verdict, numbered in zip(verdicts, numbers, strict=True):
        # The recap loaded the enrolments without their program: spare a query per certificate.
        verdict.enrollment.program = program
        snapshot = build_snapshot(
            enrollment=verdict.enrollment,
            kind=Certificate.Kind.COMPLETION,
            issued_on=issued_on,
            recap_row=verdict.recap_row,
            paper=paper,
        )
        certificates.append(
            _new_certificate(
                enrollment=verdict.enrollment,
                kind=Certificate.Kind.COMPLETION,
                issued_on=issued_on,
                numbered=numbered,
                snapshot=snapshot,
                by=by,
                series_partner=series_partner,
            )
        )
    # NULL change reason, as a single save records it.
    certificates = bulk_create_with_history(
        certificates, Certificate, default_user=by, default_change_reason=None
    )
    credentials.create_credentials(certificates)
    return certificates


@transaction.atomic
def issue_statement(*, enrollment, by, issued_on=None):
    """Issue a statement of participation to a released or transferred participant.

    Same numbering family as certificates; the snapshot's "participation" block gives the
    sessions and JP attended and why they left. Refuses other statuses and an enrolment that
    already holds a valid certificate or statement.
    """
    issued_on = issued_on or timezone.localdate()
    # Locked so that a double click issues one statement and the second click is told so.
    enrollment = (
        Enrollment.objects.select_for_update()
        .select_related("program__facility", "inmate")
        .get(pk=enrollment.pk)
    )
    if enrollment.status not in STATEMENT_STATUSES:
        raise ValidationError(
            _("A statement of participation is only for participants released or transferred.")
        )
    if enrollment.certificates.filter(revoked_at__isnull=True).exists():
        raise ValidationError(
            _("%(name)s already holds a valid certificate or statement.")
            % {"name": enrollment.inmate.full_name}
        )
    row = next(
        row for row in program_recap(enrollment.program).rows if row.enrollment.pk == enrollment.pk
    )
    return _save_certificate(
        enrollment=enrollment,
        kind=Certificate.Kind.PARTICIPATION,
        issued_on=issued_on,
        snapshot_for=lambda: build_snapshot(
            enrollment=enrollment,
            kind=Certificate.Kind.PARTICIPATION,
            issued_on=issued_on,
            recap_row=row,
        ),
        by=by,
        series_partner=discreet_series(enrollment.program),
    )


def _clean_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."))
    return reason


@transaction.atomic
def revoke_certificate(*, certificate, by, reason):
    """Mark `certificate` revoked (kept, still verifiable as revoked); the reason is required."""
    reason = _clean_reason(reason)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise ValidationError(
            _("Certificate %(number)s is already revoked.") % {"number": certificate.number}
        )
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revocation_reason = reason
    certificate._change_reason = reason[:HISTORY_REASON_LENGTH]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    credentials.revoke(certificate)
    return certificate


@transaction.atomic
def reissue_certificate(*, certificate, by, reason, holder_name=None, issued_on=None):
    """Revoke `certificate` and issue a new number that `replaces` it; returns the new one.

    The new snapshot is the old one (the program's later edits never leak into a correction)
    with the new number, the issue date and, when given, the corrected holder's name.
    """
    issued_on = issued_on or timezone.localdate()
    holder_name = (holder_name or "").strip()
    old = revoke_certificate(certificate=certificate, by=by, reason=reason)

    def snapshot_for():
        snapshot = copy.deepcopy(old.snapshot)
        snapshot["issued_on"] = issued_on.isoformat()
        if holder_name:
            snapshot["holder_name"] = holder_name
        return snapshot

    enrollment = Enrollment.objects.select_related("program__facility").get(pk=old.enrollment_id)
    new = _save_certificate(
        enrollment=enrollment,
        kind=old.kind,
        issued_on=issued_on,
        snapshot_for=snapshot_for,
        by=by,
        # The correction stays in the series the holder's paper was numbered in.
        series_partner=old.series_partner,
        replaces=old,
    )
    credentials.create_credentials([new])
    return new
