import datetime

import pytest
from django.test import RequestFactory
from django.utils import translation

from lapas_training.reports.forms import period_from_request
from lapas_training.reports.periods import Period

TODAY = datetime.date(2025, 8, 20)


def from_query(query):
    return period_from_request(RequestFactory().get(f"/reports/?{query}"), today=TODAY)


def test_period_month_quarter_year_bounds():
    assert Period.month(2025, 2) == Period(
        datetime.date(2025, 2, 1), datetime.date(2025, 2, 28), "month"
    )
    assert Period.month(2025, 12).end == datetime.date(2025, 12, 31)
    quarter = Period.quarter(2025, 3)
    assert (quarter.start, quarter.end) == (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30))
    assert Period.year(2024).end == datetime.date(2024, 12, 31)


def test_period_months_lists_every_overlapped_month():
    span = Period.custom(datetime.date(2024, 11, 30), datetime.date(2025, 2, 1))
    assert span.months() == [
        datetime.date(2024, 11, 1),
        datetime.date(2024, 12, 1),
        datetime.date(2025, 1, 1),
        datetime.date(2025, 2, 1),
    ]
    assert Period.month(2025, 8).months() == [datetime.date(2025, 8, 1)]


def test_period_labels_in_indonesian_and_english():
    week = Period.custom(datetime.date(2025, 8, 4), datetime.date(2025, 8, 8))
    with translation.override("id"):
        assert Period.month(2025, 8).label == "Agustus 2025"
        assert Period.quarter(2025, 3).label == "Triwulan III 2025"
        assert Period.year(2025).label == "2025"
        assert week.label == "4 Agustus 2025 – 8 Agustus 2025"
    with translation.override("en"):
        assert Period.month(2025, 8).label == "August 2025"
        assert Period.quarter(2025, 3).label == "Quarter III 2025"


@pytest.mark.parametrize(
    "period",
    [
        Period.month(2025, 8),
        Period.quarter(2024, 4),
        Period.year(2023),
        Period.custom(datetime.date(2025, 8, 4), datetime.date(2025, 8, 8)),
    ],
)
def test_period_query_round_trips_through_the_form(period):
    assert from_query(period.query())[0] == period


def test_period_query_of_a_month():
    assert Period.month(2025, 8).query() == "period=month&month=2025-08"


def test_period_from_request_defaults_to_the_current_month():
    period, form = from_query("")
    assert period == Period.month(2025, 8)
    assert not form.is_bound


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=month&month=2025-13", "month"),
        ("period=month&month=garbage", "month"),
        ("period=month", "month"),
        ("period=quarter&quarter=2025-5", "quarter"),
        ("period=year&year=99999", "year"),
        ("period=custom&start=2025-08-08&end=2025-08-04", "end"),
        ("period=custom&start=1900-01-01&end=2025-08-04", "end"),
        ("period=custom&start=2025-02-30&end=2025-03-04", "start"),
        ("period=decade", "period"),
    ],
)
def test_period_from_request_bad_input_shows_error_and_uses_default(query, field):
    period, form = from_query(query)
    assert period == Period.month(2025, 8)
    assert field in form.errors


def test_period_form_error_in_indonesian():
    with translation.override("id"):
        _, form = from_query("period=custom&start=2025-08-08&end=2025-08-04")
        assert form.errors["end"] == ["Tanggal akhir tidak boleh sebelum tanggal mulai."]


def test_period_form_offers_recent_quarters_and_keeps_an_old_one():
    _, form = from_query("period=quarter&quarter=2019-2")
    choices = dict(form.fields["quarter"].widget.choices)
    assert "2025-3" in choices
    assert "2019-2" in choices
    assert from_query("period=quarter&quarter=2019-2")[0] == Period.quarter(2019, 2)
