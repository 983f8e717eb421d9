"""A centre's offline template: download it, fill it in, upload it; every problem located, nothing half-written."""

import html
import io
import re

import openpyxl
import pytest
from conftest import DOUMEN, fill_completely, stored
from helpers import filled
from sheets import resaved

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client) -> bytes:
    response = client.get("/rounds/2/template")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def upload(client, data: bytes, name="模板.xlsx"):
    body = {"workbook": (io.BytesIO(data), name)}
    return client.post("/rounds/2/upload", data=body, content_type="multipart/form-data")


def refused(client, response) -> str:
    """The page a refused upload leads to: the round's page, reached by a redirect (so it can be reloaded)."""
    assert response.status_code == 302 and response.location == "/rounds/2#offline"
    return client.get(response.location).get_data(as_text=True)


def test_template_holds_only_the_centres_own_row(doumen):
    wb = openpyxl.load_workbook(io.BytesIO(download(doumen)))
    ws = wb["填报"]
    ids_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "org_code")
    rows = [[ws.cell(r, c).value for c in (1, 2)] for r in range(ids_row + 1, ws.max_row + 1)]
    assert rows == [[DOUMEN, "斗门卫生院"]]


def test_upload_imports_the_answers(doumen, app_db):
    before = stored(app_db)[0]
    response = upload(doumen, filled(download(doumen), staff_total=81, physicians_left=2))
    assert response.status_code == 302
    assert "已导入" in doumen.get(response.location).get_data(as_text=True)
    after, values = stored(app_db)
    assert (values["staff_total"], values["physicians_left"]) == (81, 2) and after.version > before.version


def test_upload_lists_every_problem_and_writes_nothing(doumen, app_db):
    before = stored(app_db)
    page = refused(doumen, upload(doumen, filled(download(doumen), staff_total="sixty", service_population=-5)))
    assert "没有导入任何内容" in page
    problems = page.split("没有导入任何内容")[1].split("</ul>")[0]
    assert problems.count("<li>") == 2 and "填报!" in problems
    assert stored(app_db) == before


def test_upload_problems_read_in_english_on_the_english_pages(doumen, app_db):
    doumen.post("/language", data={"lang": "en"})
    before = stored(app_db)
    page = html.unescape(refused(doumen, upload(doumen, filled(download(doumen), staff_total="sixty"))))
    problems = page.split("The file has these problems; nothing was imported:")[1].split("</ul>")[0]
    assert re.search(r"填报!\w+\d+: 'sixty' is not a whole number", problems), problems
    assert "不是整数" not in problems
    assert stored(app_db) == before


def test_upload_of_another_centres_file_says_whose_it_is_and_writes_nothing(doumen, app_db):
    theirs, mine = stored(app_db, "619901002"), stored(app_db)
    data = filled(download(doumen), org_code="619901002", org_name="王寺卫生院")
    response = upload(doumen, data)
    assert response.status_code == 302
    page = doumen.get(response.location).get_data(as_text=True)
    assert "未导入：这是王寺卫生院（619901002）的文件，不是本机构（619901001）的。" in page
    doumen.post("/language", data={"lang": "en"})
    page = doumen.get(upload(doumen, data).location).get_data(as_text=True)
    assert "Not imported: this file belongs to 王寺卫生院 (619901002), not to your centre (619901001)." in page
    assert stored(app_db, "619901002") == theirs and stored(app_db) == mine


def test_a_file_of_another_centre_with_bad_cells_lists_the_cells(doumen, app_db):
    mine = stored(app_db)
    page = refused(doumen, upload(doumen, filled(download(doumen), org_code="619901002", staff_total="sixty")))
    assert "没有导入任何内容" in page and "619901002" in page and "填报!" in page
    assert stored(app_db) == mine


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_the_template_saved_again_as_xls_or_ods_uploads(doumen, app_db, kind):
    """A centre opens the template in WPS or LibreOffice and saves it in that program's own format."""
    data = resaved(filled(download(doumen), staff_total=77, physicians_left=3), kind)
    response = upload(doumen, data, name=f"模板.{kind}")
    assert response.status_code == 302
    assert "已导入" in doumen.get(response.location).get_data(as_text=True)
    values = stored(app_db)[1]
    assert (values["staff_total"], values["physicians_left"]) == (77, 3)


def test_upload_of_junk_is_a_located_error(doumen):
    page = refused(doumen, upload(doumen, b"not a workbook at all"))
    assert "没有导入任何内容" in page and "模板.xlsx" in page


def test_upload_needs_a_workbook(doumen):
    assert "请选择文件" in refused(doumen, doumen.post("/rounds/2/upload", data={}))
    page = refused(doumen, upload(doumen, b"x", name="answers.pdf"))
    assert "只接受 .xlsx、.xls、.ods 或 .csv 文件" in page


def test_upload_refused_after_submission(doumen, app_db):
    fill_completely(app_db)
    doumen.post("/rounds/2/submit")
    before = stored(app_db)
    template = download(doumen)
    page = doumen.get("/rounds/2").get_data(as_text=True)
    assert "上传并导入" not in page
    response = upload(doumen, filled(template, staff_total=1))
    assert response.status_code == 302 and stored(app_db) == before


def saved_row(data: bytes, sheet="填报") -> dict:
    """The first centre's cells of a template, by column id."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    ids_row = next(r for r in range(1, 11) if ws.cell(r, 1).value == "org_code")
    return {ws.cell(ids_row, c).value: ws.cell(ids_row + 1, c).value for c in range(3, ws.max_column + 1)}


def test_template_carries_the_saved_answers_and_blank_cells_keep_them(doumen, app_db):
    from instruments.item_types import ITEM_TYPES
    from survey.store.rounds import get_round, round_instrument

    fill_completely(app_db)
    before, values = stored(app_db)
    instrument = round_instrument(app_db, get_round(app_db, 2))
    data = download(doumen)
    cells = saved_row(data)
    answered = {item_id: value for item_id, value in values.items() if item_id in instrument.item}
    assert {item_id for item_id, cell in cells.items() if cell is not None} == set(answered)
    for item_id, value in answered.items():
        item = instrument.item[item_id]
        assert ITEM_TYPES[item.type].parse(cells[item_id], item) == value, item_id
    assert cells["staff_total"] == values["staff_total"]  # a number stays a number
    sheet = openpyxl.load_workbook(io.BytesIO(data))["填报"]
    assert sheet["A2"].value == "留空的单元格不改动已保存的答案"
    assert "留空的单元格不改动已保存的答案" in "".join(
        str(row[0]) for row in openpyxl.load_workbook(io.BytesIO(data))["说明"].values
    )

    unchanged = upload(doumen, data)
    assert "已导入，0 项答案有改动" in doumen.get(unchanged.location).get_data(as_text=True)
    assert stored(app_db)[1] == values

    blanked = upload(doumen, filled(data, staff_total=None, physicians_left=values["physicians_left"] + 1))
    assert "已导入，1 项答案有改动" in doumen.get(blanked.location).get_data(as_text=True)
    after = stored(app_db)[1]
    assert after["staff_total"] == values["staff_total"]  # the blanked cell kept its answer
    assert after == {**values, "physicians_left": values["physicians_left"] + 1}
    assert before.version < stored(app_db)[0].version


def test_reloading_after_a_refused_upload_and_switching_language_keep_the_page(doumen, app_db):
    before = stored(app_db)
    page = refused(doumen, upload(doumen, filled(download(doumen), staff_total="sixty")))
    assert "没有导入任何内容" in page and '<input type="hidden" name="next" value="/rounds/2?">' in page
    reloaded = doumen.get("/rounds/2")
    assert reloaded.status_code == 200 and "没有导入任何内容" not in reloaded.get_data(as_text=True)
    assert doumen.get("/rounds/2/upload").location == "/rounds/2#offline"  # an old address of the page
    switched = doumen.post("/language", data={"lang": "en", "next": "/rounds/2?"})
    assert switched.location == "/rounds/2"
    assert stored(app_db) == before


def test_a_refused_upload_lists_the_first_problems_and_says_there_are_more(doumen, app_db):
    before = stored(app_db)
    wb = openpyxl.load_workbook(io.BytesIO(download(doumen)))
    ws = wb["填报"]
    for col in range(3, 40):
        ws.cell(6, col, "十二？")
    out = io.BytesIO()
    wb.save(out)
    page = refused(doumen, upload(doumen, out.getvalue()))
    listed = page.split("没有导入任何内容")[1].split("</ul>")[0]
    assert listed.count("<li>") == 21 and "另有问题未列出" in listed
    assert stored(app_db) == before
