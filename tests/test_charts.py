"""Server-drawn SVG charts: well-formed, accessible, one bar per value, every figure in text, readable colours."""

import math
import xml.etree.ElementTree as ET

import pytest

from survey import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root, cls=None) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text") if cls is None or t.get("class") == cls]


def bars_of(root) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def assert_accessible(root, title, desc):
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert [by_id[i].tag for i in labelled] == [f"{SVG}title", f"{SVG}desc"]
    assert by_id[labelled[0]].text == title and by_id[labelled[1]].text == desc


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0, 9.9, 10, 55, 99.9, 100], [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]),
        ([None, math.nan], [0] * 10),
        ([-3, 140], [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]),  # out of range: clamped to the end bins
    ],
)
def test_bins_of_ten_points(values, expected):
    assert charts.bins(values) == expected


def test_histogram_has_ten_bars_with_counts_and_bin_labels():
    values = [12, 45, 47, 51, 58, 63, 77, 100, None]
    svg = charts.histogram(values, title="总分分布", desc="8 家机构", chart_id="h", x_label="总分", y_label="机构数")
    root = parse(svg)
    assert_accessible(root, "总分分布", "8 家机构")
    assert len(bars_of(root)) == 10
    assert texts(root, "bin") == [
        "0–10",
        "10–20",
        "20–30",
        "30–40",
        "40–50",
        "50–60",
        "60–70",
        "70–80",
        "80–90",
        "90–100",
    ]
    assert [int(t) for t in texts(root, "count")] == [0, 1, 0, 0, 2, 2, 1, 1, 0, 1]
    heights = [float(r.get("height")) for r in bars_of(root)]
    assert heights[4] == max(heights) and heights[0] == 0  # the tallest bar is the fullest bin
    assert "总分" in texts(root) and "机构数" in texts(root)


def test_histogram_of_nothing_is_still_a_chart():
    root = parse(charts.histogram([], title="t", desc="d", chart_id="e", x_label="x", y_label="y"))
    assert len(bars_of(root)) == 10 and set(texts(root, "count")) == {"0"}


def test_bars_label_every_row_and_draw_only_values():
    rows = [
        charts.Bar("西咸新区", 2 / 18, "2/18（11.1%）"),
        charts.Bar("沣东新城", 0.0, "0/3（0%）"),
        charts.Bar("无数据县", None, "无数据"),
    ]
    root = parse(charts.bars(rows, title="达标率", desc="按地区", chart_id="b", ticks=[(0, "0%"), (1, "100%")]))
    assert_accessible(root, "达标率", "按地区")
    drawn = bars_of(root)
    assert len(drawn) == 2  # the row without a value has its label and words, no bar
    assert texts(root, "label") == ["西咸新区", "沣东新城", "无数据县"]
    assert texts(root, "figure") == ["2/18（11.1%）", "0/3（0%）", "无数据"]
    assert float(drawn[1].get("width")) == 0
    assert float(drawn[0].get("width")) > 0


def test_bars_scale_to_the_top():
    rows = [charts.Bar("甲", 100.0, "100"), charts.Bar("乙", 50.0, "50"), charts.Bar("丙", 150.0, "150")]
    root = parse(charts.bars(rows, title="t", desc="d", chart_id="s", top=100.0))
    full, half, over = (float(r.get("width")) for r in bars_of(root))
    assert half == pytest.approx(full / 2) and over == full  # a value past the top stops at the edge


def test_profile_bars_carry_a_marker_per_mean_and_a_key():
    rows = [charts.Bar("人员配备", 40.0, "40（均值 55）", 55.0), charts.Bar("信息化", None, "—（均值 30）", 30.0)]
    root = parse(charts.bars(rows, title="维度", desc="d", chart_id="p", top=100.0, marker_label="辖区均值"))
    markers = [g for g in root.iter(f"{SVG}g") if g.get("class") == "marker"]
    assert len(markers) == 3  # one per row, one in the key
    assert "辖区均值" in texts(root)


def test_heat_table_has_a_cell_and_a_figure_for_each_pair_and_readable_text():
    cells = [[(share, f"{share:.0%}") for share in (0.0, 0.25, 0.5, 0.75, 1.0)], [(None, "—")] * 5]
    root = parse(charts.heat_table(["专业技术人员占比", "配备CT"], list("甲乙丙丁戊"), cells,
                                   title="热力表", desc="d", chart_id="m"))  # fmt: skip
    assert_accessible(root, "热力表", "d")
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "cell"]
    assert len(rects) == 10
    assert texts(root, "column") == list("甲乙丙丁戊")
    assert texts(root, "label") == ["专业技术人员占比", "配备CT"]
    figures = [t for t in root.iter(f"{SVG}text") if t.get("class") is None]
    assert [t.text for t in figures] == ["0%", "25%", "50%", "75%", "100%"] + ["—"] * 5
    for rect, text in zip(rects, figures, strict=True):
        assert charts.contrast(rect.get("fill"), text.get("fill")) >= 4.5
    assert len({r.get("fill") for r in rects[:5]}) == 5  # darker as the share grows


def test_every_colour_reads():
    assert charts.contrast("#000000", "#ffffff") == pytest.approx(21)
    for shade in (*charts.HEAT, charts.EMPTY, charts.BAR):
        assert charts.contrast(shade, charts.text_on(shade)) >= 4.5
    assert charts.contrast(charts.BAR, charts.PAPER) >= 3  # a shape on the page
    assert charts.contrast(charts.INK, charts.PAPER) >= 4.5 and charts.contrast(charts.MUTED, charts.PAPER) >= 4.5


def test_text_is_escaped():
    nasty = '<script>alert("x")</script> & 县'
    svg = charts.bars([charts.Bar(nasty, 0.5, nasty)], title=nasty, desc=nasty, chart_id='x"y')
    root = parse(svg)
    assert "<script>" not in svg
    assert texts(root, "label") == [nasty] and root.find(f"{SVG}title").text == nasty


def test_chinese_is_measured_wider_than_latin():
    assert charts.text_width("西咸新区") == pytest.approx(4 * charts.FONT)
    assert charts.text_width("ab12") == pytest.approx(4 * 0.6 * charts.FONT)
