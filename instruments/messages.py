"""Every message of the instrument core, in one table: a code, its Chinese and English text, named parameters.

The loader's problems, the expression checker's errors and the item types'
answer errors all carry a code and parameters; the words are only made here,
when a message is shown, in the language of the person reading it. `str()` of
every error is English (logs, tracebacks); pages and the command line call
`text(lang)`, Chinese unless English is asked for.

The layers above keep their own tables in the same form — the workbook readers'
(`exports.messages`), the store's and the command line's (`survey`) — and
`register` them into the one catalogue `render` reads, so every message of the
platform is put into words here, the same way, and each code is said once.

A parameter may itself be a `Message` (the kind of value found, the words for
an id) or an instrument's `Text` (an item's label, a constraint's message),
rendered in the same language; a tuple of messages reads as a list
("a choice and a number", 「选项和数值」), a list of them one after another
("…; …", 「…；…」). A `suggestion` parameter renders as
" (did you mean 'staff_total'?)" / 「（是否应为 'staff_total'？）」 wherever `{hint}`
stands. In Chinese a space is put between a parameter and the text around it
where one side is Chinese and the other Latin letters or digits (「超过 2,000 个字符」).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- the loader: reading the text
    "cannot_read": {"zh": "无法读取（{reason}）", "en": "cannot be read ({reason})"},
    "not_text_given": {"zh": "问卷必须以文本形式提供", "en": "an instrument must be given as text"},
    "too_large": {"zh": "超过{limit:,}个字符", "en": "larger than {limit:,} characters"},
    "json_invalid": {"zh": "不是有效的 JSON：{reason}", "en": "not valid JSON: {reason}"},
    "json_duplicate_key": {"zh": "JSON 中的键 '{key}' 重复", "en": "duplicate key '{key}' in JSON"},
    "yaml_invalid": {"zh": "不是有效的 YAML：{reason}", "en": "not valid YAML: {reason}"},
    "yaml_alias": {"zh": "问卷中不能使用别名（*name）", "en": "aliases (*name) are not allowed in an instrument"},
    "yaml_duplicate_key": {"zh": "键 '{key}' 重复", "en": "duplicate key '{key}'"},
    "yaml_no_reason": {"zh": "无法解析", "en": "not valid YAML"},
    "nested_too_deep": {"zh": "嵌套层数过多，不能作为问卷", "en": "nested too deeply to be an instrument"},
    "top_not_mapping": {
        "zh": "问卷应为键值映射，而不是{found}",
        "en": "an instrument must be a mapping of keys, not {found}",
    },
    # ---------------------------------------------------------------- the loader: shapes of values
    "not_mapping": {"zh": "应为键值映射，而不是{found}", "en": "must be a mapping of keys, not {found}"},
    "unknown_key": {"zh": "未知的键{hint}", "en": "unknown key{hint}"},
    "required": {"zh": "必须提供", "en": "is required"},
    "not_list": {"zh": "应为列表，而不是{found}", "en": "must be a list, not {found}"},
    "not_text": {"zh": "应为文字，而不是{found}", "en": "must be text, not {found}"},
    "not_text_quote": {
        "zh": "应为文字，而不是{found}（请加引号）",
        "en": "must be text, not {found} (write it in quotes)",
    },
    "invalid_instrument_id": {
        "zh": "'{value}' 不是有效的 id（只能用小写字母、数字和 '-'）",
        "en": "'{value}' is not a valid id (lower-case letters, digits and '-')",
    },
    "invalid_name": {
        "zh": "'{value}' 不是有效的 id（只能用字母、数字和 '_'，不能以数字开头，最多 64 个字符）",
        "en": "'{value}' is not a valid id (letters, digits and '_', not starting with a digit, at most 64)",
    },
    "invalid_id": {
        "zh": "'{value}' 不是有效的 id（只能用字母、数字、'_' 和 '-'，最多 64 个字符）",
        "en": "'{value}' is not a valid id (letters, digits, '_' and '-', at most 64)",
    },
    "unknown_language": {"zh": "未知的语言（请用 zh 和 en）", "en": "unknown language (use zh and en)"},
    "text_needs_zh": {"zh": "需要在 zh 下写出中文（可另在 en 下写英文）", "en": "needs a text under zh (and en)"},
    "not_text_or_languages": {
        "zh": "应为文字或 {{zh: …, en: …}}，而不是{found}",
        "en": "must be text or {{zh: …, en: …}}, not {found}",
    },
    "not_number": {"zh": "应为数字，而不是{found}", "en": "must be a number, not {found}"},
    "not_flag": {"zh": "应为 true 或 false，而不是{found}", "en": "must be true or false, not {found}"},
    "not_one_of": {
        "zh": "应为 {allowed} 之一，而不是{found}{hint}",
        "en": "must be one of {allowed}, not {found}{hint}",
    },
    "not_condition": {
        "zh": "应为条件（结果为真或假），而不是{kind}",
        "en": "must be a condition (true or false), not {kind}",
    },
    "duplicate": {"zh": "{what} '{value}' 重复（另见 {other}）", "en": "duplicate {what} '{value}' (also at {other})"},
    "reserved_word": {
        "zh": "'{value}' 是表达式语言的保留字，请换一个 id",
        "en": "'{value}' is a word of the expression language; choose another id",
    },
    "between_0_and_1": {"zh": "应在 0 到 1 之间", "en": "must be between 0 and 1"},
    "between_0_and_100": {"zh": "应在 0 到 100 之间", "en": "must be between 0 and 100"},
    "negative": {"zh": "不能为负数", "en": "must not be negative"},
    # ---------------------------------------------------------------- the loader: limits
    "too_many": {"zh": "共{count:,}项，最多{limit:,}项", "en": "{count:,} entries; at most {limit:,}"},
    "too_many_values": {
        "zh": "值的总数超过{limit:,}个（列表、映射和单个值合计）",
        "en": "more than {limit:,} values in all (lists, mappings and single values)",
    },
    "too_many_items": {"zh": "题目共{count:,}个，最多{limit:,}个", "en": "{count:,} items in all; at most {limit:,}"},
    "indicators_too_deep": {
        "zh": "经由{depth}层其他指标计算（{path}），最多{limit}层",
        "en": "computed through {depth} levels of other indicators ({path}); at most {limit}",
    },
    "too_many_operations": {
        "zh": "全部表达式共有{count:,}步运算，最多{limit:,}步",
        "en": "the expressions together hold {count:,} operations; at most {limit:,}",
    },
    "too_intricate": {
        "zh": "指标过于复杂，无法快速评分：搜索差距需要{work:,}步，最多{limit:,}步（仅此指标就需{own:,}步）",
        "en": (
            "the indicators are too intricate to score quickly: searching their gaps takes {work:,} steps, "
            "at most {limit:,} (this indicator alone {own:,})"
        ),
    },
    # ---------------------------------------------------------------- the loader: the questionnaire
    "mean_needs_dimensions": {"zh": "mean_of_dimensions 需要先定义维度", "en": "mean_of_dimensions needs dimensions"},
    "no_sections": {"zh": "至少需要一个部分", "en": "needs at least one section"},
    "no_items": {"zh": "至少需要一个题目", "en": "needs at least one item"},
    "unknown_type": {
        "zh": "未知的题型{found}{hint}；可用：{allowed}",
        "en": "unknown type {found}{hint}; use one of {allowed}",
    },
    "choices_not_allowed": {
        "zh": "只有选择题才有选项，{type}类型的题目不能有",
        "en": "only choice items have choices, not {type}",
    },
    "choices_needed": {"zh": "{type}类型的题目需要选项列表", "en": "a {type} item needs a list of choices"},
    "bounds_not_allowed": {
        "zh": "只有数值题目才能设{key}，{type}类型的题目不能设",
        "en": "only number items take {key}, not {type}",
    },
    "max_below_min": {"zh": "{high}小于 min {low}", "en": "{high} is below min {low}"},
    "message_without_constraint": {
        "zh": "没有需要它说明的校验条件（constraint）",
        "en": "there is no constraint for it to explain",
    },
    "relevance_loop": {"zh": "显示条件（relevant）循环引用：{path}", "en": "relevance loops back on itself: {path}"},
    # ---------------------------------------------------------------- the loader: indicators
    "already_item_id": {"zh": "'{value}' 已是题目的 id", "en": "'{value}' is already an item id"},
    "already_indicator_id": {"zh": "'{value}' 已是指标的 id", "en": "'{value}' is already an indicator id"},
    "indicator_loop": {"zh": "指标之间循环引用：{path}", "en": "indicators refer to each other in a loop: {path}"},
    "format_of_choice": {
        "zh": "公式的结果是选项，没有数字格式",
        "en": "the formula gives a choice, which has no number format",
    },
    "format_mismatch": {
        "zh": "'{format}' 不适用于结果为{kind}的公式",
        "en": "'{format}' does not fit a formula that gives {kind}",
    },
    "floor_without_linear": {"zh": "floor 只用于 scoring: linear", "en": "a floor is only used with scoring: linear"},
    "pooled_choice": {
        "zh": "选择题 '{item}' 不能在地区内求和",
        "en": "choice item '{item}' cannot be summed over a region",
    },
    "pooled_not_number": {"zh": "只有结果为数值的公式才能计算合并值", "en": "only a number formula can be pooled"},
    "unknown_dimension": {"zh": "没有维度 '{value}'{hint}", "en": "no dimension '{value}'{hint}"},
    "dimension_needed": {
        "zh": "total 为 mean_of_dimensions，计分指标必须指定维度",
        "en": "total is mean_of_dimensions, so a scored indicator needs one",
    },
    "target_on_text": {"zh": "文字型指标不能设目标值", "en": "a text indicator cannot have a target"},
    "target_malformed": {
        "zh": '应为比较式，例如 ">= 0.90" 或 "== true"，而不是{found}',
        "en": 'must be a comparison such as ">= 0.90" or "== true", not {found}',
    },
    "target_true_on_number": {
        "zh": "与{word}比较，但公式的结果是数值",
        "en": "compares with {word} but the formula gives a number",
    },
    "target_true_operator": {
        "zh": "true 和 false 只能用 == 或 != 比较，不能用 {op}",
        "en": "true and false can only be compared with == or !=, not {op}",
    },
    "target_not_number": {"zh": "'{word}' 不是数字", "en": "'{word}' is not a number"},
    "linear_needs_target": {"zh": "线性计分（linear）需要目标值", "en": "linear scoring needs a target"},
    "linear_needs_inequality": {
        "zh": "线性计分需要带 < 或 > 的目标值，而不是 '{target}'",
        "en": "linear scoring needs a target with < or >, not '{target}'",
    },
    "linear_needs_floor": {
        "zh": "线性计分需要 floor（得零分的值）",
        "en": "linear scoring needs a floor (the value that earns nothing)",
    },
    "floor_not_below": {"zh": "{floor}必须低于目标值{target}", "en": "{floor} must be below the target {target}"},
    "floor_not_above": {"zh": "{floor}必须高于目标值{target}", "en": "{floor} must be above the target {target}"},
    # ---------------------------------------------------------------- the loader: frameworks and groups
    "no_groups": {"zh": "至少需要一个分组", "en": "needs at least one group"},
    "unknown_framework": {"zh": "没有框架 '{value}'{hint}", "en": "no framework '{value}'{hint}"},
    "unknown_group": {
        "zh": "框架 '{framework}' 中没有分组 '{value}'{hint}",
        "en": "framework '{framework}' has no group '{value}'{hint}",
    },
    # ---------------------------------------------------------------- the loader: clauses
    "unknown_chapter": {"zh": "没有章 '{value}'{hint}", "en": "no chapter '{value}'{hint}"},
    "no_levels": {"zh": "至少需要一个级别", "en": "needs at least one level"},
    "too_many_levels": {"zh": "共{count}个级别，最多{limit}个", "en": "{count} levels; at most {limit}"},
    "level_reserved": {
        "zh": "'{value}' 会被读作评级状态（未达到、不适用、未评级），请换一个级别 id",
        "en": "'{value}' reads as a rating status (below, not applicable, unrated); choose another level id",
    },
    "level_needs_when": {
        "zh": "按填报数据自动评级的条款，其级别需要 when（达到该级别的条件）",
        "en": "a level of an auto clause needs a when (the condition for reaching it)",
    },
    "when_on_onsite": {
        "zh": "现场评级的条款由评审人员评级：其级别应写 text，不能写 when",
        "en": "an onsite clause is rated by people: its levels take a text, not a when",
    },
    "level_needs_text": {
        "zh": "现场评级的条款，其级别需要 text（达到该级别的要求）",
        "en": "a level of an onsite clause needs a text (what reaching it takes)",
    },
    "credit_without_weight": {"zh": "credit 只与 weight 一起使用", "en": "credit is only used with a weight"},
    "credit_unknown_level": {"zh": "本条款没有级别 '{value}'{hint}", "en": "no level '{value}' in this clause{hint}"},
    "credit_missing": {"zh": "没有给出级别{levels}的 credit", "en": "gives no credit for level {levels}"},
    "credit_falls": {
        "zh": "级别{level}的得分低于更低的级别{below}",
        "en": "level {level} earns less than level {below} below it",
    },
    "weighted_clause_in_mean": {
        "zh": "total 为 mean_of_dimensions，条款不能设 weight",
        "en": "total is mean_of_dimensions, so a clause cannot carry a weight",
    },
    # ---------------------------------------------------------------- the loader: grades
    "must_meet_not_id": {"zh": "应为指标 id，而不是{found}", "en": "must be an indicator id, not {found}"},
    "must_meet_unknown": {"zh": "没有这个指标：'{value}'{hint}", "en": "names no indicator: '{value}'{hint}"},
    "must_meet_no_target": {
        "zh": "指标 '{value}' 没有目标值，无从达标",
        "en": "indicator '{value}' has no target to meet",
    },
    "selects_no_clause": {"zh": "没有选中任何条款", "en": "selects no clause"},
    "unknown_clause": {"zh": "没有这个条款：'{value}'{hint}", "en": "names no clause: '{value}'{hint}"},
    "not_clause_id": {"zh": "应为条款 id，而不是{found}", "en": "must be a clause id, not {found}"},
    "level_not_in_clauses": {
        "zh": "条款{clauses}{more}没有级别 '{level}'",
        "en": "level '{level}' is not a level of clause {clauses}{more}",
    },
    # ---------------------------------------------------------------- expressions
    "expression_not_text": {"zh": "应为以文字写出的表达式", "en": "must be an expression written as text"},
    "longer_than": {"zh": "超过{limit}个字符", "en": "longer than {limit} characters"},
    "string_alone": {"zh": "单独一段文字不是表达式", "en": "a text on its own is not an expression"},
    "empty_expression": {"zh": "表达式为空", "en": "empty expression"},
    "ends_too_early": {"zh": "表达式不完整，提前结束了", "en": "expression ends too early"},
    "nested_too_deep_expression": {"zh": "表达式嵌套超过{limit}层", "en": "expression nested more than {limit} deep"},
    "unclosed_string": {"zh": "从第{col}列开始的文字缺少结束引号", "en": "unclosed string starting at column {col}"},
    "unexpected_character": {
        "zh": "第{col}列有无法识别的字符{char}",
        "en": "unexpected character {char} at column {col}",
    },
    "reference_not_name": {
        "zh": "第{col}列的 '${{{value}}}' 不是名称",
        "en": "'${{{value}}}' at column {col} is not a name",
    },
    "single_equals": {
        "zh": "第{col}列的 '='：比较是否相等请写 '=='",
        "en": "'=' at column {col}: write '==' to compare",
    },
    "expected": {
        "zh": "第{col}列处应为 '{text}'，实际为 '{found}'",
        "en": "expected '{text}' at column {col}, found '{found}'",
    },
    "expected_at_end": {
        "zh": "第{col}列处应为 '{text}'，但表达式已结束",
        "en": "expected '{text}' at column {col}, found end of expression",
    },
    "unexpected": {"zh": "第{col}列出现了多余的 '{token}'", "en": "unexpected '{token}' at column {col}"},
    "chained_comparison": {
        "zh": "比较不能连写（第{col}列）；请用 'and' 连接",
        "en": "comparisons cannot be chained (column {col}); join them with 'and'",
    },
    "unknown_function": {
        "zh": "第{col}列：没有函数 '{name}'{hint}",
        "en": "unknown function '{name}' at column {col}{hint}",
    },
    "unknown_name": {"zh": "未知的名称 '{name}'{hint}", "en": "unknown name '{name}'{hint}"},
    "text_item_in_expression": {
        "zh": "'{name}' 是文字或日期题目，不能在这里使用",
        "en": "'{name}' is a text or date item and cannot be used here",
    },
    "needs_numbers": {
        "zh": "第{col}列的{what}需要数值，不能是{kind}",
        "en": "{what} at column {col} needs numbers, not {kind}",
    },
    "compares_text": {
        "zh": "第{col}列的 '{op}' 把文字与{kind}比较；文字只能与选择题比较",
        "en": "'{op}' at column {col} compares text with {kind}; text can only be compared with a choice item",
    },
    "compares_choice": {
        "zh": "第{col}列的 '{op}' 把选项与{kind}比较；请与加引号的选项值比较",
        "en": "'{op}' at column {col} compares a choice with {kind}; compare it with one of its values in quotes",
    },
    "expression_not_a_choice": {
        "zh": "第{col}列的 '{value}' 不是可选的选项（{allowed}）",
        "en": "'{value}' at column {col} is not one of the choices ({allowed})",
    },
    "arguments_exactly": {
        "zh": "第{col}列的 {name}() 需要{fewest}个参数，而不是{count}个",
        "en": "{name}() at column {col} takes {fewest} arguments, not {count}",
    },
    "arguments_at_least": {
        "zh": "第{col}列的 {name}() 至少需要{fewest}个参数，而不是{count}个",
        "en": "{name}() at column {col} takes {fewest} or more arguments, not {count}",
    },
    "arguments_between": {
        "zh": "第{col}列的 {name}() 需要{fewest}到{most}个参数，而不是{count}个",
        "en": "{name}() at column {col} takes {fewest} to {most} arguments, not {count}",
    },
    "round_digits": {
        "zh": "第{col}列的 round()：保留的位数必须是整数",
        "en": "round() at column {col}: the digits must be a whole number",
    },
    "mixes_kinds": {"zh": "第{col}列的 {function}() 混用了{kinds}", "en": "{function}() at column {col} mixes {kinds}"},
    # ---------------------------------------------------------------- answers (item types and clause ratings)
    "below_minimum": {"zh": "{value}小于最小值{low}", "en": "{value} is below the minimum {low}"},
    "above_maximum": {"zh": "{value}大于最大值{high}", "en": "{value} is above the maximum {high}"},
    "not_whole_number": {"zh": "'{raw}' 不是整数", "en": "'{raw}' is not a whole number"},
    "not_a_number": {"zh": "'{raw}' 不是数字", "en": "'{raw}' is not a number"},
    "number_too_large": {
        "zh": "'{raw}' 超出可填报的范围（绝对值最大{limit:,}）",
        "en": "'{raw}' is too large to be reported (at most {limit:,} either way)",
    },
    "not_yes_no": {"zh": "'{raw}' 不是“是”或“否”", "en": "'{raw}' is not yes or no (是/否)"},
    "not_a_choice": {
        "zh": "'{raw}' 不是可选的选项（{allowed}）",
        "en": "'{raw}' is not one of the choices ({allowed})",
    },
    "none_with_others": {
        "zh": "选了“无”就不能再选其他选项",
        "en": "'none' cannot be picked together with other options",
    },
    "not_a_date": {"zh": "'{raw}' 不是日期（格式为 YYYY-MM-DD）", "en": "'{raw}' is not a date (YYYY-MM-DD)"},
    "rated_from_answers": {
        "zh": "条款{clause}按填报数据自动评级，不能手工评级",
        "en": "clause {clause} is rated from the answers, not by people; it takes no rating",
    },
    "not_a_level": {
        "zh": "'{raw}' 不是条款{clause}的级别（可填：{allowed}）",
        "en": "'{raw}' is not a level of clause {clause} ({allowed})",
    },
    # ---------------------------------------------------------------- words inside messages
    "hint": {"zh": "（是否应为 '{close}'？）", "en": " (did you mean '{close}'?)"},
    "position": {"zh": "第{line}行第{column}列", "en": "line {line}, column {column}"},
    "more_clauses": {"zh": "及另外{count}条", "en": " and {count} more"},
    "found_nothing": {"zh": "空值", "en": "nothing"},
    "found_mapping": {"zh": "键值映射", "en": "a mapping"},
    "found_list": {"zh": "列表", "en": "a list"},
    "found_type": {"zh": "{name}类型的值", "en": "{name}"},
    "kind_number": {"zh": "数值", "en": "a number"},
    "kind_boolean": {"zh": "真假值", "en": "a boolean"},
    "kind_choice": {"zh": "选项", "en": "a choice"},
    "kind_text": {"zh": "文字", "en": "text"},
    "kind_string": {"zh": "文字 '{literal}'", "en": "the text '{literal}'"},
    "if_condition": {"zh": "if() 条件", "en": "if()'s condition"},
    "item_id": {"zh": "题目 id", "en": "id"},
    "section_id": {"zh": "部分 id", "en": "section id"},
    "choice_value": {"zh": "选项值", "en": "choice value"},
    "dimension_id": {"zh": "维度 id", "en": "dimension id"},
    "indicator_id": {"zh": "指标 id", "en": "indicator id"},
    "chapter_id": {"zh": "章 id", "en": "chapter id"},
    "clause_id": {"zh": "条款 id", "en": "clause id"},
    "level_id": {"zh": "级别 id", "en": "level id"},
    "framework_id": {"zh": "框架 id", "en": "framework id"},
    "group_id": {"zh": "分组 id", "en": "group id"},
    "grade_id": {"zh": "等级 id", "en": "grade id"},
}


CATALOGUE: dict[str, dict[str, str]] = dict(MESSAGES)  # every layer's messages, by code


def register(messages: Mapping[str, dict[str, str]]) -> None:
    """Add a layer's own table of messages to the catalogue; a code already said otherwise is refused."""
    clash = sorted(code for code, texts in messages.items() if CATALOGUE.get(code, texts) != texts)
    if clash:
        raise ValueError(f"codes said twice in the catalogue: {', '.join(clash)}")
    CATALOGUE.update(messages)


@dataclass(frozen=True)
class Message:
    """Something said as a code of the catalogue and its parameters; `text(lang)` puts it into words."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def text(self, lang: str = "zh") -> str:
        """The message in `lang` ("zh" or "en")."""
        return render(self.code, self.params, lang)

    def __str__(self) -> str:
        return self.text("en")


def render(code: str, params: Mapping[str, Any], lang: str) -> str:
    """The text of `code` in `lang` with its parameters (nested messages in the same language)."""
    values = {key: _shown(value, lang) for key, value in params.items()}
    suggestion = params.get("suggestion")
    values["hint"] = render("hint", {"close": suggestion}, lang) if suggestion else ""
    pieces: list[tuple[str, bool]] = []  # (text, whether it is a parameter)
    for literal, name, spec, _conversion in string.Formatter().parse(CATALOGUE[code][lang]):
        pieces.append((literal, False))
        if name is not None:
            pieces.append((format(values[name], spec or ""), True))
    if lang == "zh":
        for i, (text, is_value) in enumerate(pieces):
            if is_value and text:
                before = next((t for t, _ in reversed(pieces[:i]) if t), "")
                after = next((t for t, _ in pieces[i + 1 :] if t), "")
                pieces[i] = (_spaced(before[-1:], text, after[:1]), True)
    return "".join(text for text, _ in pieces)


def _shown(value: Any, lang: str) -> Any:
    """A parameter as it reads in `lang`: a nested message in words, a tuple of them as a list, a `Text` in `lang`."""
    if isinstance(value, Message):
        return value.text(lang)
    if hasattr(value, "zh") and hasattr(value, "get"):  # an instrument's Text (the model imports this module)
        return value.get(lang)
    if isinstance(value, list) and all(isinstance(v, Message) for v in value):  # one after another
        return ("；" if lang == "zh" else "; ").join(v.text(lang) for v in value)
    if isinstance(value, tuple) and value and all(isinstance(v, Message) for v in value):
        words = [v.text(lang) for v in value]
        if len(words) == 1:
            return words[0]
        return ("、".join(words[:-1]) + "和" if lang == "zh" else ", ".join(words[:-1]) + " and ") + words[-1]
    return value


def _chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _spaced(before: str, text: str, after: str) -> str:
    """A parameter's text with a space where it meets Chinese on one side and Latin letters or digits on the other.

    A quote of the message's own that hugs the parameter ('{raw}') never takes a space; a parameter's own
    quote beside Chinese does (而不是 'abc').
    """
    if before and _apart(before, text[0]):
        text = " " + text
    if after and _apart(after, text[-1]):
        text += " "
    return text


def _apart(around: str, edge: str) -> bool:
    """Whether the message's character `around` and a parameter's character `edge` need a space between them."""
    return (_chinese(around) and (_word(edge) or edge in "'\"")) or (_word(around) and _chinese(edge))
