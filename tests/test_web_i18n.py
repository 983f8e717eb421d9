"""Chinese by default, English on request: the switch, the instrument's own labels, the catalogue."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parent.parent
CATALOG = ROOT / "survey" / "translations" / "en" / "LC_MESSAGES"


def test_chinese_by_default(client, auth):
    auth.as_user("doumen")
    page = client.get("/rounds/2/sections/staff").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "在岗职工总数（人）" in page and "保存并继续" in page


def test_switch_to_english_and_back(client, auth):
    auth.as_user("doumen")
    response = client.post("/language", data={"lang": "en", "next": "/rounds/2/sections/staff"})
    assert response.location == "/rounds/2/sections/staff"
    assert "lang=en" in response.headers["Set-Cookie"]
    page = client.get("/rounds/2/sections/staff").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Staff on post (persons)" in page and "Save and continue" in page and "My rounds" in page
    assert "Professional-technical staff as a share of establishment posts" in page and "Below target" in page
    assert "Professional-technical staff: 3 more (50 → 53) would reach ≥ 90% (91.4%)" in page
    assert "more ★core clauses at level C or above" in page  # the gap to the next grade, in English too
    client.post("/language", data={"lang": "zh", "next": "/rounds"})
    assert "我的填报" in client.get("/rounds").get_data(as_text=True)


def test_english_form_messages(client, auth):
    auth.as_user("doumen")
    client.post("/language", data={"lang": "en"})
    page = client.post("/rounds/2/sections/basic", data={"version": "2", "item_service_population": "-1"})
    assert "Must be between 0 and 2000000" in page.get_data(as_text=True)


def test_switch_ignores_unknown_languages_and_other_sites(client):
    response = client.post("/language", data={"lang": "fr", "next": "https://evil.example/"})
    assert response.location == "/" and "Set-Cookie" not in response.headers


def test_every_message_is_translated_and_compiled():
    with open(ROOT / "babel.cfg") as file:
        method_map, options_map = parse_mapping_cfg(file)
    used = {
        message[2]
        for message in extract_from_dir(
            ROOT, method_map, options_map, keywords={"_": None, "_l": None, "gettext": None}
        )
    }
    with open(CATALOG / "messages.po", "rb") as file:
        po = {m.id: m.string for m in read_po(file) if m.id}
    with open(CATALOG / "messages.mo", "rb") as file:
        mo = {m.id: m.string for m in read_mo(file) if m.id}
    assert used <= set(po), f"not in messages.po: {sorted(used - set(po))}"
    assert all(po.values()), "messages.po has empty translations"
    assert mo == po, "messages.mo is stale: run pybabel compile -d survey/translations"
