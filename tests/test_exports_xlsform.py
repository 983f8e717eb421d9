"""Instruments authored in Excel load into the same instrument as the YAML."""

import io
from pathlib import Path

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


def test_mistakes_are_located_at_their_sheet_and_cell():
    survey = [*SURVEY[:3], ("integr", "staff_prof_tech", "专业技术人员数", None, None, None, None, None, None, None),
              *SURVEY[4:]]  # fmt: skip
    indicators = [
        INDICATORS[0],
        ("share", "占比", "${staff_prof_tech} / ${staff_totl}", ">= 0.9", 1, None, None, None, None, None),
    ]
    with pytest.raises(WorkbookError) as caught:
        load_xlsform(workbook(survey, indicators), "form.xlsx")
    problems = caught.value.lines("en")
    assert any(p.startswith("survey!A4: unknown type 'integr' (did you mean 'integer'?)") for p in problems), problems
    assert "indicators!C2: unknown name 'staff_totl' (did you mean 'staff_total'?)" in problems


def test_a_workbook_without_a_survey_sheet():
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(WorkbookError, match="form.xlsx: no 'survey' sheet"):
        load_xlsform(buffer.getvalue(), "form.xlsx")


def test_junk_is_not_a_workbook():
    with pytest.raises(WorkbookError):
        load_xlsform(b"this is not a workbook", "form.xlsx")


# The clause instrument of tests/cases/instruments/clauses.yaml, as an official would write it in Excel.
CLAUSE_BOOK = {
    "survey": [
        ("type", "name", "label::zh", "label::en", "relevant", "min", "max"),
        ("begin group", "staff", "人员", "Staff", None, None, None),
        ("integer", "staff_total", "在岗职工总数", "Staff on post", None, 0, None),
        ("integer", "staff_prof_tech", "专业技术人员数", "Professional-technical staff", None, 0, None),
        ("integer", "medical_staff", "医务人员数", "Medical staff", None, 0, None),
        ("integer", "population", "服务人口", "Service population", None, 0, None),
        ("end group", None, None, None, None, None, None),
        ("begin group", "services", "服务", "Services", None, None, None),
        ("boolean", "has_inpatient", "是否开展住院服务", "Provides inpatient care", None, None, None),
        ("integer", "beds", "实际开放床位数", "Open beds", "has_inpatient", 0, None),
        ("boolean", "has_booking", "是否提供在线预约", "Online booking", None, None, None),
        ("decimal", "online_share", "在线预约占比", "Share booked online", None, 0, 1),
        ("end group", None, None, None, None, None, None),
    ],
    "settings": [("form_id", "version", "form_title", "form_title::en", "applies_to"),
                 ("clauses-test", "1", "条款测试", "Clause test", "township_health_centre")],
    "dimensions": [("name", "label::zh", "label::en"), ("staffing", "人员配备", "Staffing")],
    "indicators": [
        ("name", "label::zh", "label::en", "formula", "format", "target", "weight", "dimension", "group::yanan"),
        ("prof_tech_share", "专业技术人员占比", "Professional-technical share", "staff_prof_tech / staff_total",
         "percent", ">= 0.90", 10, "staffing", "strength"),
        ("beds_per_1k", "每千服务人口床位数", "Beds per 1,000 population", "beds / population * 1000", None,
         ">= 0.6", 5, None, "coverage"),
    ],
    "frameworks": [
        ("framework", "group", "title::zh", "title::en"),
        ("yanan", None, "延安四维度", "Yan'an four dimensions"),
        ("yanan", "coverage", "全度", "Coverage"),
        ("yanan", "strength", "力度", "Strength"),
        ("yanan", "precision", "准度", "Precision"),
        ("yanan", "effect", "效度", "Effect"),
    ],
    "chapters": [("id", "number", "title::zh", "title::en"),
                 ("resources", "一", "功能任务与资源配置", "Functions and resources"),
                 ("management", "三", "综合管理", "Management")],
    "clauses": [
        ("id", "number", "chapter", "standard", "core", "text::zh", "text::en", "rated", "evidence", "weight",
         "source", "standard_text", "group::yanan", "when_C", "when_B", "when_A", "text_C::zh", "text_B::zh",
         "text_A::zh", "credit_C", "credit_B", "credit_A"),
        ("prof_tech_staffing", "1.3.2", "resources", "basic", None, "专业技术人员占编制总额的比例不低于90%",
         "Professional-technical staff at least 90% of posts", "auto", None, 4,
         "《关于乡镇卫生院机构编制标准的指导意见》(2011)", "专业技术人员占编制总额的比例不低于90%", "strength",
         "prof_tech_share >= 0.85", "prof_tech_share >= 0.90", "prof_tech_share >= 0.95", None, None, None, None,
         None, None),
        ("beds_clause", "1.2.1", "resources", "recommended", None, "按服务人口设置床位", None, "auto", None, None,
         None, None, None, "beds >= 10", "beds >= 20", None, None, None, None, None, None, None),
        ("booking", "3.1.1", "management", "推荐标准", None, "提供在线预约", None, "自动", None, None, None, None,
         None, "has_booking", "online_share >= 0.3", None, None, None, None, None, None, None),
        ("infection_control", "3.4.1", "management", "basic", "是", "建立医院感染管理制度并落实",
         "Infection control rules in force", "现场", "required", 2, None, None, "precision", None, None, None,
         "有制度，有专人负责", "符合C级，并定期自查、有记录", "符合B级，持续改进有成效", 0.6, 0.8, 1),
        ("records", "3.5.2", "management", "recommended", "★", "病历书写规范", None, "onsite", None, None, None,
         None, None, None, None, None, "有病历书写制度", "符合C级，定期质控", "符合B级，甲级病历率≥90%", None, None,
         None),
        ("training", "3.6.1", "management", "recommended", None, "开展岗位培训", None, "onsite", None, None, None,
         None, None, None, None, None, "有年度培训计划", "符合C级，培训有考核", None, None, None, None),
    ],
    "grades": [
        ("name", "label::zh", "label::en", "min_score", "when"),
        ("recommended", "达到推荐标准", "Meets the recommended standard", 80, None),
        ("basic", "达到基本标准", "Meets the basic standard", None, None),
        ("qualified", "合格", "Qualified", None, "medical_staff < 10 and population < 10000"),
        ("below", "未达到基本标准", "Below the basic standard", None, None),
    ],
    "requires": [
        ("grade", "core", "standard", "chapter", "ids", "level", "share"),
        ("recommended", "yes", None, None, None, "B", "100%"),
        ("recommended", None, "recommended", None, None, "B", 0.6),
        ("basic", None, "basic", None, None, "C", 1),
        ("qualified", "是", "基本标准", None, None, "C", 1),
    ],
}  # fmt: skip


def book(sheets: dict) -> bytes:
    out = openpyxl.Workbook()
    out.remove(out.active)
    for title, rows in sheets.items():
        sheet = out.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def changed(sheet: str, row: int, column: str, value) -> dict:
    """The clause book with one cell changed (row and column as Excel numbers them)."""
    sheets = {title: [list(r) for r in rows] for title, rows in CLAUSE_BOOK.items()}
    header = sheets[sheet][0]
    sheets[sheet][row - 1][openpyxl.utils.column_index_from_string(column) - 1] = value
    assert header  # the header row stays as it is
    return sheets


def test_a_clause_workbook_loads_into_the_same_instrument_as_the_yaml():
    from_excel = load_xlsform(book(CLAUSE_BOOK), "clauses.xlsx")
    from_yaml = instruments.load(Path(__file__).parent / "cases" / "instruments" / "clauses.yaml")
    assert from_excel == from_yaml
    assert from_excel.clause["infection_control"].credit == (0.6, 0.8, 1.0)
    assert [c.id for c in from_excel.clauses if c.core] == ["infection_control", "records"]


@pytest.mark.parametrize(
    "sheets,message",
    [
        (changed("clauses", 6, "O", "beds > 1"),   # when_B of records, an onsite clause
         "clauses!O6: an onsite clause is rated by people: its levels take a text, not a when"),
        (changed("clauses", 2, "N", "prof_tech_shar >= 0.85"),
         "clauses!N2: unknown name 'prof_tech_shar' (did you mean 'prof_tech_share'?)"),
        (changed("clauses", 4, "C", "managment"), "clauses!C4: no chapter 'managment' (did you mean 'management'?)"),
        (changed("clauses", 5, "V", 1.5), "clauses!V5: must be between 0 and 1"),
        (changed("clauses", 5, "H", "by hand"), "clauses!H5: must be one of auto, onsite, not 'by hand'"),
        (changed("clauses", 2, "M", "strenght"),
         "clauses!M2: framework 'yanan' has no group 'strenght' (did you mean 'strength'?)"),
        (changed("requires", 3, "G", 60), "requires!G3: must be between 0 and 1"),
        (changed("requires", 3, "F", "A"),
         "requires!F3: level 'A' is not a level of clause beds_clause, booking, training"),
        (changed("requires", 4, "A", "basik"), "requires!A4: no grade 'basik' on the grades sheet"),
        (changed("grades", 4, "E", "medical_staff + 1"),
         "grades!E4: must be a condition (true or false), not a number"),
        (CLAUSE_BOOK | {"clauses": [*CLAUSE_BOOK["clauses"][:2], *CLAUSE_BOOK["clauses"][1:]]},
         "clauses!A3: duplicate clause id 'prof_tech_staffing' (also at clauses!A2)"),
    ],
)  # fmt: skip
def test_clause_mistakes_are_located_at_their_cell(sheets, message):
    with pytest.raises(WorkbookError) as caught:
        load_xlsform(book(sheets), "clauses.xlsx")
    assert message in caught.value.lines("en"), caught.value.lines("en")
