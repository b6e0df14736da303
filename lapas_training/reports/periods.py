"""The period a report covers: a month, a quarter, a year, or any span of days.

Reports are made per month for the Kanwil, per quarter and year for the directorate, and for a
custom span (one program's week) when someone asks. A `Period` is a pair of dates, both inside
it; its `kind` says how to name it and how to select it again in a URL.
"""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

KINDS = ("month", "quarter", "year", "custom")
ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _month_end(year, month):
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """The days from `start` to `end`, both included; `kind` is one of KINDS."""

    start: datetime.date
    end: datetime.date
    kind: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.start > self.end:
            raise ValueError("a period cannot end before it starts")

    @classmethod
    def month(cls, year, month):
        return cls(datetime.date(year, month, 1), _month_end(year, month), "month")

    @classmethod
    def quarter(cls, year, quarter):
        first = 3 * (quarter - 1) + 1
        return cls(datetime.date(year, first, 1), _month_end(year, first + 2), "quarter")

    @classmethod
    def year(cls, year):
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")

    @classmethod
    def custom(cls, start, end):
        return cls(start, end, "custom")

    @classmethod
    def containing(cls, day):
        """The month `day` falls in: the reports' default period."""
        return cls.month(day.year, day.month)

    @property
    def quarter_number(self):
        return (self.start.month - 1) // 3 + 1

    @property
    def label(self):
        """The period as a report names it, in the active language: "Agustus 2025",
        "Triwulan III 2025", "2025", "4 Agustus 2025 - 8 Agustus 2025" (with an en dash)."""
        if self.kind == "month":
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.kind == "quarter":
            return _("Quarter %(roman)s %(year)s") % {
                "roman": ROMAN_QUARTERS[self.quarter_number],
                "year": self.start.year,
            }
        if self.kind == "year":
            return str(self.start.year)
        return f"{date_format(self.start)} – {date_format(self.end)}"

    def __str__(self):
        return self.label

    def __contains__(self, day):
        return self.start <= day <= self.end

    def months(self):
        """The first day of every month the period overlaps, in order."""
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        return months

    def params(self):
        """The GET parameters that select this period (what `PeriodForm` reads)."""
        if self.kind == "month":
            return {"period": "month", "month": f"{self.start:%Y-%m}"}
        if self.kind == "quarter":
            return {"period": "quarter", "quarter": f"{self.start.year}-{self.quarter_number}"}
        if self.kind == "year":
            return {"period": "year", "year": str(self.start.year)}
        return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}

    def query(self):
        """The query string that selects this period, e.g. "period=month&month=2025-08"."""
        return urlencode(self.params())
