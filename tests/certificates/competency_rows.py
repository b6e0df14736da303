"""Competency units and assessments made for tests, through the recording service."""

import datetime

from certificates.competency import record_assessment
from certificates.models import CompetencyUnit
from programs.models import Enrollment

KOMPETEN = Enrollment.Result.COMPETENT
BELUM = Enrollment.Result.NOT_YET_COMPETENT


def make_units(program, count=2):
    """`count` SKKNI units of `program`: C.10PBJ00.001.1, C.10PBJ00.002.1, …"""
    titles = [
        "Menyiapkan bahan dan alat kerajinan batu",
        "Merangkai gelang dan kalung",
        "Menyelesaikan produk kerajinan",
        "Mengemas produk kerajinan",
    ]
    return [
        CompetencyUnit.objects.create(
            program=program, code=f"C.10PBJ00.00{n}.1", title=titles[(n - 1) % len(titles)]
        )
        for n in range(1, count + 1)
    ]


def assess(enrollment, by, results, *, on=datetime.date(2025, 9, 15), number="LSP-001/2025"):
    return record_assessment(
        enrollment=enrollment,
        by=by,
        assessed_on=on,
        lsp_name="LSP P1 BLK Palangka Raya",
        assessor_name="Rina Marlina",
        assessor_registration="MET.000.004512 2021",
        certificate_number=number,
        valid_until=on.replace(year=on.year + 3),
        results=results,
    )
