import xml.etree.ElementTree as ET
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation

from lapas_training.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(str(svg))


def bars(svg):
    return [rect for rect in parse(svg).iter(f"{SVG}rect") if rect.get("class") == "bar"]


def texts(svg):
    return ["".join(text.itertext()) for text in parse(svg).iter(f"{SVG}text")]


def test_horizontal_bar_chart_is_an_accessible_image():
    svg = charts.horizontal_bar_chart(
        [("BLK Kota Palangka Raya", 12)], title="Participants by partner", axis_label="People"
    )
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 640 ")
    title = root.find(f"{SVG}title")
    assert title.text == "Participants by partner"
    assert root.get("aria-labelledby") == title.get("id")
    assert "BLK Kota Palangka Raya" in texts(svg)
    assert "People" in texts(svg)


def test_horizontal_bar_lengths_are_proportional_to_values():
    svg = charts.horizontal_bar_chart(
        [("A", 10), ("B", 5), ("C", 0)], title="t", axis_label="n", max_value=20
    )
    widths = [float(bar.get("width")) for bar in bars(svg)]
    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0
    # 10 of 20 fills half the plot: 640 wide less the label and value columns.
    assert widths[0] == (640 - 210 - 64) / 2


def test_horizontal_bar_chart_prints_values_at_bar_ends():
    svg = charts.horizontal_bar_chart(
        [("A", Decimal("57.1"))], title="t", axis_label="%", max_value=100, percent=True
    )
    (bar,) = bars(svg)
    value_text = [
        text for text in parse(svg).iter(f"{SVG}text") if "".join(text.itertext()) == "57.1%"
    ]
    assert value_text
    assert float(value_text[0].get("x")) > float(bar.get("x")) + float(bar.get("width"))


def test_chart_labels_are_escaped():
    label = '<script>alert("x")</script> & Co'
    svg = charts.horizontal_bar_chart([(label, 3)], title=label, axis_label=label)
    assert "<script>" not in str(svg)
    assert parse(svg).find(f"{SVG}title").text == label
    stacked = charts.stacked_bar_chart(
        [label], [(label, [2])], title=label, x_label=label, y_label=label
    )
    assert "<script>" not in str(stacked)
    assert label in texts(stacked)


def test_stacked_bar_chart_stacks_series_in_proportion():
    svg = charts.stacked_bar_chart(
        ["Jul", "Aug"],
        [("Present", [4, 2]), ("Late", [0, 2]), ("Custody", [1, 3])],
        title="Attendance",
        x_label="Month",
        y_label="Records",
    )
    heights = [(bar.get("data-value"), float(bar.get("height"))) for bar in bars(svg)]
    # Jul: present 4, custody 1 (no bar for the zero); Aug: 2, 2, 3.
    assert [value for value, _height in heights] == ["4", "1", "2", "2", "3"]
    per_unit = heights[0][1] / 4
    assert all(abs(height - per_unit * int(value)) < 0.01 for value, height in heights)
    # Totals on top of the bars, and a legend entry per series.
    assert {"5", "7", "Present", "Late", "Custody", "Jul", "Aug"} <= set(texts(svg))


def test_stacked_bar_chart_series_differ_in_black_and_white():
    svg = charts.stacked_bar_chart(
        ["Aug"],
        [(f"S{i}", [1]) for i in range(6)],
        title="t",
        x_label="x",
        y_label="y",
    )
    fills = [bar.get("fill") for bar in bars(svg)]
    assert len(set(fills)) == 6
    # The lighter series are patterns defined in the chart itself, unique per chart.
    pattern_ids = {p.get("id") for p in parse(svg).iter(f"{SVG}pattern")}
    assert {fill[5:-1] for fill in fills if fill.startswith("url(")} == pattern_ids
    other = charts.stacked_bar_chart(
        ["Aug"], [(f"S{i}", [1]) for i in range(6)], title="t", x_label="x", y_label="y"
    )
    assert pattern_ids.isdisjoint({p.get("id") for p in parse(other).iter(f"{SVG}pattern")})


def test_chart_without_data_says_so():
    svg = charts.horizontal_bar_chart([], title="t", axis_label="n")
    assert "No data for this period." in texts(svg)
    assert not bars(svg)
    stacked = charts.stacked_bar_chart(["Aug"], [("H", [0])], title="t", x_label="x", y_label="y")
    assert "No data for this period." in texts(stacked)


def test_bar_chart_draws_one_bar_per_row():
    svg = charts.bar_chart([("Jan", 3), ("Feb", 6)], title="t", x_label="x", y_label="y")
    first, second = bars(svg)
    assert float(second.get("height")) == 2 * float(first.get("height"))


def test_numbers_in_indonesian():
    with translation.override("id"):
        assert charts.format_number(12345) == "12.345"
        assert charts.format_percent(Decimal("57.1")) == "57,1%"
        svg = charts.horizontal_bar_chart(
            [("A", Decimal("57.1"))], title="t", axis_label="%", max_value=100, percent=True
        )
        assert "57,1%" in texts(svg)
    assert charts.format_percent(None) == "–"


def test_chart_fragment_shows_the_table_beside_the_chart():
    table = charts.Table(
        ["Partner", "Participants"],
        [[charts.Cell("BLK <Kota>"), charts.Cell(1234, url="/partners/1/")]],
        total=["Total", 1234],
    )
    html = render_to_string(
        "lapas_training/reports/_chart.html",
        {
            "chart": charts.horizontal_bar_chart([("BLK", 1)], title="t", axis_label="n"),
            "table": table,
            "caption": "Participants by partner",
        },
    )
    assert "<figure" in html
    assert "<figcaption" in html
    assert 'role="img"' in html
    assert '<th scope="row" class="fw-normal">BLK &lt;Kota&gt;</th>' in html
    assert '<td class="text-end"><a href="/partners/1/">1,234</a></td>' in html
    empty = render_to_string(
        "lapas_training/reports/_chart.html",
        {"chart": "", "table": charts.Table(["Partner", "Participants"]), "caption": "c"},
    )
    assert '<td colspan="2" class="text-body-secondary">No data for this period.</td>' in empty


def test_stacked_bar_chart_puts_close_labels_on_two_lines():
    months = [f"M{n} 2025" for n in range(12)]
    svg = charts.stacked_bar_chart(months, [("H", [1] * 12)], title="t", x_label="x", y_label="y")
    assert "M0" in [span.text for span in parse(svg).iter(f"{SVG}tspan")]
    assert "M0 2025" not in texts(svg)
    wide = charts.stacked_bar_chart(
        months[:2], [("H", [1, 1])], title="t", x_label="x", y_label="y"
    )
    assert "M0 2025" in texts(wide)
