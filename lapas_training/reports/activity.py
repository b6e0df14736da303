"""What a program's activity report (laporan kegiatan) tells, gathered in one place.

`activity_data(program)` assembles everything the report prints (and the news item retells) in a
fixed number of queries; `report_texts(data)` gives its five editable texts, the stored ones or,
where blank, defaults written from the data. The printed document is always in Bahasa Indonesia,
so the texts are built under `translation.override("id")` whatever the user's language.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from attendance.rules import Recap, percent, program_recap
from certificates.models import Certificate
from certificates.pdf import date_range, join_names, title_without_kind
from lapas_training.models import Facility, User
from programs.models import (
    ActivityReport,
    Enrollment,
    PartnerAgreement,
    Product,
    ProductPhoto,
    Program,
    ProgramEvent,
    ProgramPartner,
    ProgramTopic,
    SessionPhoto,
    TrainingSession,
)
from programs.products import program_products_summary

# The report's editable texts, in the order it prints them.
TEXT_FIELDS = ("background", "purpose", "legal_basis", "conclusions", "suggestions")

# Proper names of the regulations every pembinaan kemandirian rests on: printed as the statute
# book titles them, in Indonesian whatever the language (they are names, not UI text).
REGULATIONS = (
    "Undang-Undang Nomor 22 Tahun 2022 tentang Pemasyarakatan",
    "Peraturan Pemerintah Nomor 31 Tahun 1999 tentang Pembinaan dan Pembimbingan Warga "
    "Binaan Pemasyarakatan",
)

LEFT_EARLY = (
    Enrollment.Status.WITHDRAWN,
    Enrollment.Status.RELEASED,
    Enrollment.Status.TRANSFERRED,
)


@dataclass(frozen=True)
class PartnerRow:
    """A partner of the program: its role and the numbers of its agreements (PKS) in force
    during the program (the latest one when none was)."""

    partner: object
    role: str
    role_label: str
    agreements: list[str]


@dataclass(frozen=True)
class AttendanceSummary:
    """The program's attendance over all participants, by the rule of attendance.rules:
    `rate` = attended / counted x 100 truncated to one decimal (None when nothing counted);
    `totals` counts each status (H, T, I, S, A and custody reasons) over counted sessions."""

    attended: int
    counted: int
    rate: Decimal | None
    totals: Counter


@dataclass(frozen=True)
class AssessmentSummary:
    """Results of the assessment: counts per result and average scores (one decimal, None
    when nobody has that score)."""

    competent: int
    not_yet_competent: int
    not_assessed: int
    pre_test_average: Decimal | None
    post_test_average: Decimal | None
    practical_average: Decimal | None


@dataclass(frozen=True)
class CompletionSummary:
    """Outcomes of the enrolments. As the reports' figures count it: `base` = completed +
    not completed + withdrawn (released and transferred people left for reasons outside the
    program); `rate` = completed / base x 100 truncated to one decimal, None when base is 0
    or the program is not closed yet (`closed` False: outcomes are still open)."""

    closed: bool
    completed: int
    not_completed: int
    withdrawn: int
    released: int
    transferred: int
    active: int
    left_early: int
    base: int
    rate: Decimal | None


@dataclass(frozen=True)
class IssuedSummary:
    """Certificates of one kind issued for the program and still valid: how many, the first
    and last number (by year and sequence), and how many others were revoked."""

    count: int
    first_number: str
    last_number: str
    revoked: int


@dataclass(frozen=True)
class ActivityData:
    """Everything the activity report prints. Attributes:

    - program (with .facility), facility, title (the title without a leading "Pelatihan
      Kemandirian").
    - report: the stored ActivityReport, or None when nobody has edited its texts.
    - partners: list[PartnerRow], lead first; trainers: list[User] (with .partner) who taught
      at least one session.
    - topics: list[ProgramTopic] in order; total_jp: int.
    - sessions: list[TrainingSession] up to today (from the recap), held_sessions: int,
      first_day / last_day: dates of the first and last held (else planned) session.
    - events: list[ProgramEvent] by date, each with `event.guests.all()` prefetched (no query);
      opening / closing: the ProgramEvent of that kind or None.
    - recap: attendance.rules.Recap (rows ordered by participant name, each with
      `row.enrollment.inmate`); participants: list[Enrollment] (every enrolment, whatever its
      status, with .inmate), in the same order.
    - attendance: AttendanceSummary; assessment: AssessmentSummary; completion:
      CompletionSummary.
    - certificates / statements: IssuedSummary of the certificates of completion / statements
      of participation.
    - products: list[ProductPhoto] (hasil karya) with .enrollment.inmate where a participant
      made it; session_photos: list[SessionPhoto] with .session; both in upload order. Their
      files are private: read them only through the field (photo.image.open()).
    - made_and_sold: list[Product] with .made, .net_sold, .lost, .stock and .revenue (net
      rupiah); sales_totals: {"total", "premium", "partner", "pnbp"} of its sales, after refunds
      (programs.products.program_products_summary).
    - report_date: the day the report speaks of: the closing day of a closed program, else today.
    """

    program: Program
    facility: Facility
    title: str
    report: ActivityReport | None
    partners: list[PartnerRow]
    trainers: list[User]
    topics: list[ProgramTopic]
    total_jp: int
    sessions: list[TrainingSession]
    held_sessions: int
    first_day: datetime.date
    last_day: datetime.date
    events: list[ProgramEvent]
    opening: ProgramEvent | None
    closing: ProgramEvent | None
    recap: Recap
    participants: list[Enrollment]
    attendance: AttendanceSummary
    assessment: AssessmentSummary
    completion: CompletionSummary
    certificates: IssuedSummary
    statements: IssuedSummary
    products: list[ProductPhoto]
    session_photos: list[SessionPhoto]
    made_and_sold: list[Product]
    sales_totals: dict
    report_date: datetime.date


def activity_data(program, *, today=None):
    """Gather what the activity report of `program` prints; see ActivityData.

    Costs 15 queries whatever the number of participants, sessions, partners, photos or sales:
    the program with its facility and stored texts; partners with their agreements (2); topics;
    trainers; events with their guests (2; 1 when there is no event); the 3 of
    attendance.rules.program_recap (sessions, enrolments with inmates, attendance records);
    certificates; session photos; product photos; products with their stock, and their sales.
    """
    today = today or timezone.localdate()
    program = Program.objects.select_related("facility", "activity_report__updated_by").get(
        pk=program.pk
    )
    partners = _partners(program)
    topics = list(ProgramTopic.objects.filter(program=program).order_by("order", "pk"))
    trainers = list(
        User.objects.filter(training_sessions__program=program)
        .select_related("partner")
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )
    events = list(
        ProgramEvent.objects.filter(program=program)
        .prefetch_related("guests")
        .order_by("date", "start_time", "pk")
    )
    recap = program_recap(program, today=today)
    participants = [row.enrollment for row in recap.rows]
    held = [session for session in recap.sessions if session.is_held]
    days = [session.date for session in (held or recap.sessions)]
    made_and_sold, _sales, sales_totals = program_products_summary(program)
    certificates = list(
        Certificate.objects.filter(enrollment__program=program)
        .order_by("year", "sequence", "pk")
        .values_list("kind", "number", "revoked_at")
    )
    return ActivityData(
        program=program,
        facility=program.facility,
        title=title_without_kind(program.title),
        report=getattr(program, "activity_report", None),
        partners=partners,
        trainers=trainers,
        topics=topics,
        total_jp=sum(topic.jp for topic in topics),
        sessions=recap.sessions,
        held_sessions=len(held),
        first_day=min(days, default=program.start_date),
        last_day=max(days, default=program.end_date),
        events=events,
        opening=next((e for e in events if e.kind == ProgramEvent.Kind.OPENING), None),
        closing=next((e for e in events if e.kind == ProgramEvent.Kind.CLOSING), None),
        recap=recap,
        participants=participants,
        attendance=_attendance(recap),
        assessment=_assessment(participants),
        completion=_completion(program, participants),
        certificates=_issued(certificates, Certificate.Kind.COMPLETION),
        statements=_issued(certificates, Certificate.Kind.PARTICIPATION),
        products=list(
            ProductPhoto.objects.filter(program=program)
            .select_related("enrollment__inmate")
            .order_by("uploaded_at", "pk")
        ),
        session_photos=list(
            SessionPhoto.objects.filter(session__program=program)
            .select_related("session")
            .order_by("session__date", "session__start_time", "uploaded_at", "pk")
        ),
        report_date=timezone.localdate(program.closed_at) if program.closed_at else today,
        made_and_sold=made_and_sold,
        sales_totals=sales_totals,
    )


def _partners(program):
    links = (
        ProgramPartner.objects.filter(program=program)
        .select_related("partner")
        .prefetch_related(
            Prefetch(
                "partner__agreements",
                queryset=PartnerAgreement.objects.order_by("-valid_to", "number"),
            )
        )
    )
    order = {role: n for n, role in enumerate(ProgramPartner.Role.values)}
    rows = []
    for link in sorted(links, key=lambda link: (order[link.role], link.partner.name)):
        agreements = list(link.partner.agreements.all())
        during = [
            agreement.number
            for agreement in agreements
            if agreement.valid_from <= program.end_date and agreement.valid_to >= program.start_date
        ]
        rows.append(
            PartnerRow(
                partner=link.partner,
                role=link.role,
                role_label=link.get_role_display(),
                agreements=during or [agreement.number for agreement in agreements[:1]],
            )
        )
    return rows


def _attendance(recap):
    attended = sum(row.attended for row in recap.rows)
    counted = sum(row.counted for row in recap.rows)
    totals = Counter()
    for row in recap.rows:
        totals.update(row.totals)
    return AttendanceSummary(attended, counted, percent(attended, counted), totals)


def _average(values):
    values = [value for value in values if value is not None]
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _assessment(participants):
    results = Counter(enrollment.assessment_result for enrollment in participants)
    return AssessmentSummary(
        competent=results[Enrollment.Result.COMPETENT],
        not_yet_competent=results[Enrollment.Result.NOT_YET_COMPETENT],
        not_assessed=results[""],
        pre_test_average=_average(e.pre_test_score for e in participants),
        post_test_average=_average(e.post_test_score for e in participants),
        practical_average=_average(e.practical_score for e in participants),
    )


def _completion(program, participants):
    statuses = Counter(enrollment.status for enrollment in participants)
    completed = statuses[Enrollment.Status.COMPLETED]
    base = (
        completed
        + statuses[Enrollment.Status.NOT_COMPLETED]
        + statuses[Enrollment.Status.WITHDRAWN]
    )
    return CompletionSummary(
        closed=program.is_closed,
        completed=completed,
        not_completed=statuses[Enrollment.Status.NOT_COMPLETED],
        withdrawn=statuses[Enrollment.Status.WITHDRAWN],
        released=statuses[Enrollment.Status.RELEASED],
        transferred=statuses[Enrollment.Status.TRANSFERRED],
        active=statuses[Enrollment.Status.ACTIVE],
        left_early=sum(statuses[status] for status in LEFT_EARLY),
        base=base,
        rate=percent(completed, base) if program.is_closed else None,
    )


def _issued(certificates, kind):
    valid = [number for k, number, revoked in certificates if k == kind and revoked is None]
    revoked = sum(1 for k, _number, revoked_at in certificates if k == kind and revoked_at)
    return IssuedSummary(
        count=len(valid),
        first_number=valid[0] if valid else "",
        last_number=valid[-1] if valid else "",
        revoked=revoked,
    )


def default_texts(data):
    """The five texts as the report prints them when nobody wrote them, in Indonesian.

    Built from `data` alone (no query): the facility, the partners and their agreements, the
    participants, the attendance and completion figures.
    """
    with translation.override("id"):
        return {
            "background": _default_background(data),
            "purpose": _default_purpose(data),
            "legal_basis": _default_legal_basis(data),
            "conclusions": _default_conclusions(data),
            "suggestions": _default_suggestions(data),
        }


def report_texts(data):
    """The texts the report prints: each stored one, or its default where it is blank."""
    defaults = default_texts(data)
    stored = data.report
    return {
        name: (getattr(stored, name).strip() if stored else "") or defaults[name]
        for name in TEXT_FIELDS
    }


def _partner_names(data):
    return join_names(row.partner.name for row in data.partners)


def _default_background(data):
    text = _(
        "The development of independence (pembinaan kemandirian) of Warga Binaan "
        "Pemasyarakatan equips them with work and business skills, so that after their release "
        "they can live independently and be accepted back by society. To that end, "
        "%(facility)s held the Pelatihan Kemandirian “%(title)s”"
    ) % {"facility": data.facility.name, "title": data.title}
    if data.partners:
        text += _(" in cooperation with %(partners)s") % {"partners": _partner_names(data)}
    text += "."
    if data.program.description:
        text += "\n\n" + data.program.description.strip()
    return text


def _default_purpose(data):
    skill = data.program.get_skill_category_display().lower()
    return _(
        "The purpose of this activity is to train %(count)s Warga Binaan in %(skill)s skills. "
        "Its objectives are that the participants master these skills, receive a certificate "
        "as proof of their competence, and are ready to work or to run a business after "
        "their release."
    ) % {"count": len(data.participants), "skill": skill}


def _default_legal_basis(data):
    lines = list(REGULATIONS)
    for row in data.partners:
        for number in row.agreements:
            lines.append(
                _(
                    "Cooperation agreement (PKS) between %(facility)s and %(partner)s "
                    "number %(number)s"
                )
                % {"facility": data.facility.name, "partner": row.partner.name, "number": number}
            )
    return "\n".join(lines)


def _percent(value):
    return formats.number_format(value, decimal_pos=1)


def _default_conclusions(data):
    sentences = [
        _(
            "The Pelatihan Kemandirian “%(title)s” was held from %(dates)s at %(place)s and "
            "was attended by %(count)s Warga Binaan."
        )
        % {
            "title": data.title,
            "dates": date_range(data.first_day, data.last_day),
            "place": data.program.location,
            "count": len(data.participants),
        }
    ]
    if data.attendance.rate is not None:
        sentences.append(
            _("The participants' average attendance was %(rate)s%%.")
            % {"rate": _percent(data.attendance.rate)}
        )
    completion = data.completion
    if completion.rate is not None:
        sentences.append(
            _("%(completed)s of %(base)s participants (%(rate)s%%) completed the training")
            % {
                "completed": completion.completed,
                "base": completion.base,
                "rate": _percent(completion.rate),
            }
            + (
                _(" and %(count)s certificates were issued.") % {"count": data.certificates.count}
                if data.certificates.count
                else "."
            )
        )
    elif not completion.closed:
        sentences.append(_("The program is not closed yet: completion is still open."))
    if data.products:
        sentences.append(
            _("The participants made products that can be marketed, as the annex shows.")
        )
    return " ".join(sentences)


def _default_suggestions(data):
    market = [row.partner.name for row in data.partners if row.role == ProgramPartner.Role.MARKET]
    lines = [
        _(
            "Similar training should be continued and developed together with the partners, "
            "for more Warga Binaan."
        ),
        _("The participants' products should be marketed through %(market)s.")
        % {"market": join_names(market) if market else _("the partners and the cooperative")},
        _(
            "Participants who completed the training should be accompanied after their release "
            "so that they can use their skills."
        ),
    ]
    return "\n".join(lines)
