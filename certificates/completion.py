"""Who completed a program: the verdict behind every certificate.

One rule, shared by the completion page, closing (`certificates.closing`) and
`certificates.services.issue_certificates`, so that what the admin sees as eligible is exactly
what issuing accepts. Attendance comes from `attendance.rules.program_recap`, the same figures
as the recap page. Until the program is closed a verdict is provisional; closing fixes it in
the enrolment's status (completed / not completed, with the reasons).
"""

from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

from attendance.rules import RecapRow, program_recap
from certificates.models import Certificate
from programs.models import Enrollment

# Still in the program: the verdict is computed from attendance and the assessment.
COMPUTED_STATUSES = frozenset({Enrollment.Status.ACTIVE})
# Left early for a reason outside their control: offered a statement of participation instead.
STATEMENT_STATUSES = frozenset({Enrollment.Status.RELEASED, Enrollment.Status.TRANSFERRED})


@dataclass
class Verdict:
    """One enrolment's completion verdict.

    - `eligible`: may receive a certificate of completion now (ignoring one already issued).
    - `reasons`: why not, as messages for the admin (empty when eligible).
    - `certificate`: the enrolment's valid (not revoked) certificate, if any.
    - `statement_offered`: released or transferred, so a statement of participation fits.
    - `final`: the program is closed, so the verdict is fixed; otherwise it is provisional.
    """

    enrollment: Enrollment
    recap_row: RecapRow
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    certificate: Certificate | None = None
    statement_offered: bool = False
    final: bool = False

    @property
    def percent(self):
        return self.recap_row.percent

    @property
    def can_issue(self):
        """Completed a closed program and not holding a valid certificate yet."""
        return self.final and self.eligible and self.certificate is None


def verdict_for(program, row, certificate=None):
    """The verdict of one recap row of `program` (no queries).

    A closed program's verdicts are the outcomes closing fixed; before that they are computed.
    """
    enrollment = row.enrollment
    common = {
        "enrollment": enrollment,
        "recap_row": row,
        "certificate": certificate,
        "statement_offered": enrollment.status in STATEMENT_STATUSES,
        "final": program.is_closed,
    }
    if enrollment.status == Enrollment.Status.COMPLETED:
        return Verdict(eligible=True, **common)
    if enrollment.status == Enrollment.Status.NOT_COMPLETED:
        return Verdict(eligible=False, reasons=[enrollment.end_reason], **common)
    reasons = []
    if enrollment.status not in COMPUTED_STATUSES:
        if enrollment.status == Enrollment.Status.WITHDRAWN:
            reasons.append(_("Withdrew from the program."))
        elif enrollment.status == Enrollment.Status.RELEASED:
            reasons.append(
                _("Released before the end: a statement of participation can be given instead.")
            )
        else:
            reasons.append(
                _("Transferred before the end: a statement of participation can be given instead.")
            )
    if row.percent is None:
        reasons.append(_("No attendance recorded yet."))
    elif row.below_threshold:
        reasons.append(
            _("Attendance %(percent)s%% is below the threshold of %(threshold)s%%.")
            % {
                "percent": formats.number_format(row.percent, 1),
                "threshold": program.attendance_threshold,
            }
        )
    if program.assessment_required:
        if enrollment.assessment_result == "":
            reasons.append(_("Assessment result missing."))
        elif enrollment.assessment_result == Enrollment.Result.NOT_YET_COMPETENT:
            reasons.append(_("Assessment result: Belum kompeten."))
    return Verdict(eligible=not reasons, reasons=reasons, **common)


def completion_verdicts(program, *, today=None):
    """Every enrolment's verdict, ordered by participant name.

    Eligible: still in the program, attendance % known and not below the program's threshold,
    and, when the program requires an assessment, the result Kompeten; in a closed program,
    completed. Before closing, the recap as of `today` counts the sessions held so far.

    Costs 4 queries: the 3 of `program_recap` and the valid certificates of the program.
    """
    recap = program_recap(program, today=today)
    certificates = {
        certificate.enrollment_id: certificate
        for certificate in Certificate.objects.filter(
            enrollment__program=program, revoked_at__isnull=True
        )
    }
    return [verdict_for(program, row, certificates.get(row.enrollment.pk)) for row in recap.rows]
