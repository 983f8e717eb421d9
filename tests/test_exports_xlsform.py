"""Instruments authored in Excel load into the same instrument as the YAML."""

import io

import openpyxl
import pytest

import instruments
from exports.errors import WorkbookError
from exports.xlsform import load_xlsform

SURVEY = [
    ("type", "name", "label::zh", "label::en", "required", "constraint", "constraint_message::zh", "relevant", "unit::zh", "min"),
    ("begin group", "staff", "人员", "Staff", None, None, None, None, None, None),
    ("integer", "staff_total", "在岗职工总数", "Staff on post", "yes", None, None, None, "人", 0),
    ("integer", "staff_prof_tech", "专业技术人员数", "Professional-technical staff", "yes",
     "${staff_prof_tech} <= ${staff_total}", "不能超过在岗职工总数", None, "人", 0),
    ("boolean", "has_inpatient", "是否开展住院服务", None, None, None, None, None, None, None),
    ("integer", "beds", "实际开放床位数", None, None, None, None, "${has_inpatient}", "张", 0),
    ("select_one owner", "ownership", "举办主体", None, None, None, None, None, None, None),
    ("end group", None, None, None, None, None, None, None, None, None),
]  # fmt: skip
CHOICES = [("list_name", "name", "label::zh", "label::en"), ("owner", "public", "政府办", "Government"),
           ("owner", "other", "其他", "Other")]  # fmt: skip
SETTINGS = [("form_id", "version", "form_title", "form_title::en", "applies_to"),
            ("excel-test", "2025.1", "乡镇卫生院评估", "Township assessment", "township_health_centre")]  # fmt: skip
INDICATORS = [
    ("name", "label::zh", "formula", "target", "weight", "dimension", "scoring", "pooled", "source", "standard_text"),
    ("prof_tech_share", "专业技术人员占比", "${staff_prof_tech} / ${staff_total}", ">= 0.90", 10, "staffing",
     "threshold", "yes", "《关于乡镇卫生院机构编制标准的指导意见》(2011)", "专业技术人员占编制总额的比例不低于90%"),
]  # fmt: skip


def workbook(survey=SURVEY, indicators=INDICATORS) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (("survey", survey), ("choices", CHOICES), ("settings", SETTINGS), ("indicators", indicators)):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsform_workbook_loads_and_scores():
    instrument = load_xlsform(workbook(), "form.xlsx")
    assert (instrument.id, instrument.version, instrument.title.get("en")) == (
        "excel-test",
        "2025.1",
        "Township assessment",
    )
    assert [i.id for i in instrument.items] == ["staff_total", "staff_prof_tech", "has_inpatient", "beds", "ownership"]
    assert instrument.item["beds"].relevant.names == ("has_inpatient",)
    assert instrument.item["ownership"].choice_values == ("public", "other")
    share = instrument.indicator["prof_tech_share"]
    assert share.pooled and share.weight == 10 and share.standard.text.endswith("不低于90%")
    card = instruments.score(instrument, {"staff_total": 50, "staff_prof_tech": 45})
    assert card.indicators["prof_tech_share"].met is True
    assert instruments.load_text(instrument.source) == instrument  # stored source reloads the same


def test_mistakes_are_located_at_their_sheet_row():
    survey = [*SURVEY[:3], ("integr", "staff_prof_tech", "专业技术人员数", None, None, None, None, None, None, None),
              *SURVEY[4:]]  # fmt: skip
    indicators = [
        INDICATORS[0],
        ("share", "占比", "${staff_prof_tech} / ${staff_totl}", ">= 0.9", 1, None, None, None, None, None),
    ]
    with pytest.raises(WorkbookError) as caught:
        load_xlsform(workbook(survey, indicators), "form.xlsx")
    problems = caught.value.problems
    assert any(p.startswith("survey!4 type: unknown type 'integr' (did you mean 'integer'?)") for p in problems), (
        problems
    )
    assert "indicators!2 formula: unknown name 'staff_totl' (did you mean 'staff_total'?)" in problems


def test_a_workbook_without_a_survey_sheet():
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(WorkbookError, match="form.xlsx: no 'survey' sheet"):
        load_xlsform(buffer.getvalue(), "form.xlsx")


def test_junk_is_not_a_workbook():
    with pytest.raises(WorkbookError):
        load_xlsform(b"this is not a workbook", "form.xlsx")
