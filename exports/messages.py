"""Every message of the workbook readers: a code, its Chinese and English text, named parameters.

The same form as the core's table (`instruments.messages`), registered into
its one catalogue and put into words by the same `render`: a file that cannot
be read, a sheet past the limits of its import, a unit sheet's rows and tree,
a sheet of answers, an instrument authored in Excel. A location (`Sheet1!D7`,
`orgs.csv`) stands before each message and reads the same in both languages.
"""

from __future__ import annotations

from instruments.messages import register

WORKBOOK_MESSAGES: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- a file handed in
    "file_empty": {"zh": "文件是空的", "en": "the file is empty"},
    "file_kind": {
        "zh": "无法读取 {ext} 文件；请使用 .xlsx、.xls、.ods 或 .csv 文件",
        "en": "a {ext} file cannot be read; use .xlsx, .xls, .ods or .csv",
    },
    "not_workbook": {"zh": "不是{what}工作簿", "en": "not {what} workbook"},
    "not_workbook_because": {"zh": "不是{what}工作簿（{reason}）", "en": "not {what} workbook ({reason})"},
    "old_xls": {
        "zh": "这是旧版 .xls 工作簿；请另存为 .xlsx（Excel 2007 或更高版本）",
        "en": "this is an old .xls workbook; save it as .xlsx (Excel 2007 or later)",
    },
    "saved_as_web_page": {
        "zh": "这是以工作簿命名的网页或 XML 文件；请用 Excel 或 WPS 打开后另存为 .xlsx",
        "en": "a web page or XML file with a workbook's name; open it in Excel or WPS and save it as .xlsx",
    },
    "save_as_xlsx": {"zh": "请用 Excel 或 WPS 另存为 .xlsx", "en": "save it from Excel or WPS as .xlsx"},
    "password_protected": {
        "zh": "工作簿设有密码保护；请取消密码后另存",
        "en": "the workbook is protected by a password; save it without one",
    },
    "no_sheets": {"zh": "工作簿中没有工作表", "en": "the workbook has no sheets"},
    "sheet_unreadable": {"zh": "无法读取此工作表（{reason}）", "en": "the sheet cannot be read ({reason})"},
    "csv_encoding": {
        "zh": "不是 UTF-8 或 GBK/GB18030 编码的文本文件",
        "en": "not a text file in UTF-8 or GBK/GB18030",
    },
    "csv_nul": {"zh": "不是文本文件（含有 NUL 字节）", "en": "not a text file (it contains NUL bytes)"},
    "csv_unreadable": {"zh": "不是可读取的 CSV 文件（{reason}）", "en": "not a readable CSV file ({reason})"},
    # ---------------------------------------------------------------- what an import may hold
    "file_too_large": {"zh": "文件大于{size}；{room}", "en": "the file is larger than {size}; {room}"},
    "zip_ratio": {
        "zh": "压缩比超过{ratio}:1（疑为压缩炸弹）",
        "en": "compressed more than {ratio}:1 (a zip bomb?)",
    },
    "unpacks_too_much": {
        "zh": "解压后为{size}，超过{limit}；{room}",
        "en": "unpacks to {size}, more than {limit}; {room}",
    },
    "holds_too_much": {"zh": "内容超过{limit}；{room}", "en": "holds more than {limit}; {room}"},
    "too_much_to_read": {
        "zh": "读取其中的工作表需要超过{limit}，不予读取",
        "en": "its sheets take more than {limit} to read; refused",
    },
    "cells_reach": {
        "zh": "单元格延伸到第{rows:,}行、第{columns:,}列；{room}",
        "en": "cells reach row {rows:,}, column {columns:,}; {room}",
    },
    "sheet_cells_reach": {
        "zh": "第{sheet}个工作表的单元格延伸到第{rows:,}行、第{columns:,}列；{room}",
        "en": "sheet {sheet}'s cells reach row {rows:,}, column {columns:,}; {room}",
    },
    "sheet_too_big": {
        "zh": "共{rows:,}行、{columns:,}列；{room}",
        "en": "{rows:,} rows and {columns:,} columns; {room}",
    },
    "past_last_row": {
        "zh": "超出了本次导入能接受的最后一行；{room}",
        "en": "past the last row this import can take; {room}",
    },
    "row_too_wide": {"zh": "共{count:,}列；{room}", "en": "{count:,} columns; {room}"},
    "room": {
        "zh": "本次导入的工作表最多{rows:,}行、{columns:,}列",
        "en": "a sheet for this import holds at most {rows:,} rows and {columns:,} columns",
    },
    "room_because": {
        "zh": "本次导入的工作表最多{rows:,}行、{columns:,}列（{why}）",
        "en": "a sheet for this import holds at most {rows:,} rows and {columns:,} columns ({why})",
    },
    "why_units": {
        "zh": "机构的各列，另加最多{count}个属性列",
        "en": "the unit columns and at most {count} attributes",
    },
    "why_items": {"zh": "{items}个题目", "en": "{items} items"},
    "why_items_clauses": {
        "zh": "{items}个题目、{clauses}个现场评价条款",
        "en": "{items} items, {clauses} onsite clauses",
    },
    "why_centre": {"zh": "范围内{centres:,}个机构，{inputs}", "en": "{centres:,} centre in scope, {inputs}"},
    "why_centres": {"zh": "范围内{centres:,}个机构，{inputs}", "en": "{centres:,} centres in scope, {inputs}"},
    "more_problems": {"zh": "……另有{count:,}个问题", "en": "… and {count:,} more problems"},
    # ---------------------------------------------------------------- names and codes
    "control_character": {
        "zh": "含有控制字符{char}（换行符、制表符之类），请删除",
        "en": "holds the control character {char} (a line break, tab or similar); remove it",
    },
    "code_characters": {
        "zh": "编码 '{code}' 只能包含字母、数字、'-'、'_' 和 '.'",
        "en": "code '{code}' may hold only letters, digits, '-', '_' and '.'",
    },
    "code_too_long": {
        "zh": "编码 '{code}…' 超过{limit}个字符",
        "en": "code '{code}…' is longer than {limit} characters",
    },
    # ---------------------------------------------------------------- organisation units
    "no_header_row": {
        "zh": "没有任何行（第一行应为表头）",
        "en": "no rows (the first row should hold the headers)",
    },
    "no_units": {"zh": "表头下面没有机构", "en": "no organisation units below the header row"},
    "attribute_name_bad": {"zh": "属性名{problem}", "en": "the attribute name {problem}"},
    "attribute_value_bad": {"zh": "'{name}' 的值{problem}", "en": "the value of '{name}' {problem}"},
    "second_column": {"zh": "'{name}' 列重复（另见 {other}）", "en": "a second '{name}' column (also {other})"},
    "missing_column": {"zh": "缺少 '{field}' 列（{alias}）", "en": "missing column '{field}' ({alias})"},
    "too_many_attributes": {
        "zh": "共{count}个属性列，最多{limit}个",
        "en": "{count} attribute columns; at most {limit}",
    },
    "duplicate_code": {"zh": "编码 '{code}' 重复（另见第{row}行）", "en": "duplicate code '{code}' (also row {row})"},
    "missing_code": {"zh": "缺少编码", "en": "missing code"},
    "missing_name": {"zh": "缺少名称", "en": "missing name"},
    "missing_level": {"zh": "缺少层级", "en": "missing level"},
    "missing_kind": {
        "zh": "缺少类型（如 township_health_centre、community_health_centre、region）",
        "en": "missing kind (e.g. township_health_centre, community_health_centre, region)",
    },
    "name_bad": {"zh": "名称{problem}", "en": "the name {problem}"},
    "not_a_unit_level": {
        "zh": "'{raw}' 不是层级（可填 {levels}；省 市 县 乡镇 社区 村）",
        "en": "'{raw}' is not a level (one of {levels}; 省 市 县 乡镇 社区 村)",
    },
    "unknown_parent": {
        "zh": "上级 '{parent}' 既不在本文件中，也不是已有的机构",
        "en": "parent '{parent}' is neither in this file nor already known",
    },
    "parent_not_above": {
        "zh": "上级 '{parent}' 是{above}，不高于本机构的层级（{level}）（省 > 市 > 县（区） > 乡镇（街道）/社区 > 村）",
        "en": "parent '{parent}' is a {above}, not above this {level} "
        "(province > city > county > township/community > village)",
    },
    "parent_loop": {"zh": "上级关系形成循环：{path}", "en": "the parents form a loop: {path}"},
    "level_province": {"zh": "省", "en": "province"},
    "level_city": {"zh": "市", "en": "city"},
    "level_county": {"zh": "县（区）", "en": "county"},
    "level_township": {"zh": "乡镇（街道）", "en": "township"},
    "level_community": {"zh": "社区", "en": "community"},
    "level_village": {"zh": "村", "en": "village"},
    # ---------------------------------------------------------------- answers
    "no_answers": {"zh": "没有填报数据行", "en": "no rows of answers"},
    "template_other_round": {
        "zh": "此模板属于轮次{made_for}，不是轮次{round}",
        "en": "this template is for round {made_for}, not {round}",
    },
    "template_other_instrument": {
        "zh": "此模板属于问卷 '{made_for}'，不是 '{instrument}'",
        "en": "this template is for the instrument '{made_for}', not '{instrument}'",
    },
    "template_other_version": {
        "zh": "此模板属于 '{instrument}' 的版本{made_for}，不是版本{version}",
        "en": "this template is for version {made_for} of '{instrument}', not {version}",
    },
    "column_twice": {
        "zh": "'{name}' 列出现了两次（另见 {other}）",
        "en": "column '{name}' appears twice (also {other})",
    },
    "unknown_item_column": {"zh": "未知的题目 '{name}'{hint}", "en": "unknown item '{name}'{hint}"},
    "unknown_item_or_clause_column": {
        "zh": "未知的题目或条款 '{name}'{hint}",
        "en": "unknown item or clause '{name}'{hint}",
    },
    "no_org_code_column": {
        "zh": "没有 'org_code' 列（第一行应为 org_code 和各题目的 id）",
        "en": "no 'org_code' column (the first row should hold org_code and the item ids)",
    },
    "missing_org_code": {"zh": "缺少 org_code", "en": "missing org_code"},
    "org_code_twice": {
        "zh": "机构编码 '{code}' 出现了两次（另见第{row}行）",
        "en": "org code '{code}' appears twice (also row {row})",
    },
    "unknown_org_code": {"zh": "未知的机构编码 '{code}'", "en": "unknown org code '{code}'"},
    "constraint_said": {"zh": "{message}", "en": "{message}"},
    "fails_check": {"zh": "未通过校验 {check}", "en": "fails the check {check}"},
    # ---------------------------------------------------------------- instruments authored in Excel
    "no_sheet": {"zh": "没有 '{name}' 工作表", "en": "no '{name}' sheet"},
    "choice_needs_names": {"zh": "选项需要 list_name 和 name", "en": "a choice needs list_name and name"},
    "unknown_choice_list": {
        "zh": "choices 工作表中没有选项列表 '{name}'",
        "en": "no choice list '{name}' on the choices sheet",
    },
    "framework_needed": {
        "zh": "frameworks 工作表的每一行都要写明 framework",
        "en": "a row of the frameworks sheet needs its framework",
    },
    "unknown_grade_row": {
        "zh": "grades 工作表中没有等级 '{grade}'",
        "en": "no grade '{grade}' on the grades sheet",
    },
    # ---------------------------------------------------------------- the kinds of file, inside messages
    "what_xlsx": {"zh": "Excel .xlsx", "en": "an Excel .xlsx"},
    "what_xls": {"zh": "Excel .xls", "en": "an Excel .xls"},
    "what_ods": {"zh": "OpenDocument .ods", "en": "an OpenDocument .ods"},
    "what_readable": {"zh": "可读取的", "en": "a readable"},
}

register(WORKBOOK_MESSAGES)
