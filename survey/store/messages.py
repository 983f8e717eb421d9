"""Every message of the store and the assessment's operations: a code, its Chinese and English text, parameters.

The same form as the core's table (`instruments.messages`), registered into its
one catalogue: a `StoreError` carries a code and parameters, and pages, jobs
and the command line put it into words in the reader's language. The words of
the web's own pages stay in Flask-Babel's catalogue (`survey/translations`).
"""

from __future__ import annotations

from exports import messages as workbook_messages  # noqa: F401 - the unit levels' words (level_county, …)
from instruments.messages import register

STORE_MESSAGES: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- things that are not there
    "no_round": {"zh": "没有轮次{round}", "en": "no round {round}"},
    "not_round_number": {"zh": "'{value}' 不是轮次编号", "en": "'{value}' is not a round number"},
    "no_unit": {"zh": "没有机构 '{code}'", "en": "no organisation unit '{code}'"},
    "no_user": {"zh": "没有用户 '{user}'", "en": "no user '{user}'"},
    "no_response": {"zh": "没有填报{response}", "en": "no response {response}"},
    "no_evidence": {"zh": "没有佐证材料{evidence}", "en": "no evidence {evidence}"},
    "evidence_file_missing": {
        "zh": "佐证材料{evidence}的文件不在存放处",
        "en": "the file of evidence {evidence} is missing from the store",
    },
    "no_evidence_store": {
        "zh": "内存中的数据库没有存放佐证材料的地方",
        "en": "a database in memory has no evidence store",
    },
    "no_appeal": {"zh": "没有申诉{appeal}", "en": "no appeal {appeal}"},
    "no_instrument": {
        "zh": "没有问卷 {instrument}；请用 `survey instruments list` 查看",
        "en": "no instrument {instrument}; see `survey instruments list`",
    },
    "no_instrument_version": {
        "zh": "没有问卷 {instrument} 的版本{version}；请用 `survey instruments list` 查看",
        "en": "no instrument {instrument} version {version}; see `survey instruments list`",
    },
    "no_section": {"zh": "没有部分 '{section}'", "en": "no section '{section}'"},
    "no_chapter": {"zh": "没有章 '{chapter}'", "en": "no chapter '{chapter}'"},
    # ---------------------------------------------------------------- jurisdictions
    "no_unit_of_user": {"zh": "{user} 不属于任何机构", "en": "{user} belongs to no organisation unit"},
    "outside_jurisdiction": {"zh": "'{code}' 不在辖区内", "en": "{code} is outside the jurisdiction"},
    "no_centre_here": {
        "zh": "轮次{round}中没有您可查看的机构 '{code}'",
        "en": "no centre '{code}' in round {round} here",
    },
    "not_in_round": {
        "zh": "以下机构不是轮次{round}的参评机构：{codes}",
        "en": "these units do not answer round {round}: {codes}",
    },
    "not_answering_here": {
        "zh": "机构 {code} 不在您可查看的轮次{round}填报范围内",
        "en": "{code} does not answer round {round} here",
    },
    "no_response_of": {"zh": "机构 {code} 在轮次{round}中没有填报", "en": "{code} has no response in round {round}"},
    "round_does_not_reach": {"zh": "轮次{round}的范围不包括 {code}", "en": "round {round} does not reach {code}"},
    "outside_round_scope": {
        "zh": "'{scope}' 不在轮次{round}的范围内",
        "en": "'{scope}' is outside round {round}'s scope",
    },
    "no_response_for": {
        "zh": "{user} 不能查看机构 {code} 的填报",
        "en": "no response of {code} for {user}",
    },
    # ---------------------------------------------------------------- rounds
    "review_levels_range": {
        "zh": "审核级数应为 0（不审核）到 4（国家抽查）",
        "en": "review levels run from 0 (none) to 4 (national spot check)",
    },
    "round_needs_period_title": {"zh": "调查轮次需要评估期和标题", "en": "a round needs a period and a title"},
    "round_name_bad": {"zh": "轮次的{what}{problem}", "en": "the round's {what} {problem}"},
    "round_title": {"zh": "标题", "en": "title"},
    "round_period": {"zh": "评估期", "en": "period"},
    "round_status": {
        "zh": "轮次的状态只能是 {statuses}，不能是 '{status}'",
        "en": "a round is {statuses}, not '{status}'",
    },
    "round_closed": {"zh": "轮次{round}已结束", "en": "round {round} is closed"},
    # ---------------------------------------------------------------- responses and their review
    "response_locked": {
        "zh": "机构 {code} 的填报{state}，不能修改",
        "en": "the response of {code} is {state}; it cannot be changed",
    },
    "busy": {
        "zh": "系统繁忙，本次没有保存任何内容；请稍后再试",
        "en": "the system is busy and nothing was saved; try again in a moment",
    },
    "response_unchangeable": {"zh": "此填报当前不能修改", "en": "the response cannot be changed now"},
    "file_of_other_centres": {
        "zh": "文件中有其他机构的行：{codes}",
        "en": "the file holds rows of other centres: {codes}",
    },
    "state_submitted": {"zh": "已提交，正在等待审核", "en": "submitted and awaits review"},
    "changed_since_opened": {
        "zh": "此填报在您打开后已在别处修改（现为第{version}版，您打开的是第{yours}版）；请重新加载查看改动",
        "en": "this response was changed elsewhere since you opened it (version {version}, yours {yours}); "
        "reload to see the changes",
    },
    "changed_elsewhere": {
        "zh": "此填报已在别处修改；请重新加载",
        "en": "this response was changed elsewhere; reload it",
    },
    "created_elsewhere": {
        "zh": "打开本页后，此填报已在别处创建",
        "en": "the response was created elsewhere since this page was opened",
    },
    "not_an_item": {"zh": "'{item}' 不是问卷 {instrument} 的题目", "en": "'{item}' is not an item of {instrument}"},
    "not_items": {"zh": "以下不是问卷 {instrument} 的题目：{items}", "en": "not items of {instrument}: {items}"},
    "no_review_level": {"zh": "轮次{round}没有第{level}级审核", "en": "round {round} has no review level {level}"},
    "not_awaiting_review": {
        "zh": "此填报的状态是“{status}”，不在等待审核",
        "en": "the response is {status}, not awaiting review",
    },
    "awaits_other_level": {
        "zh": "此填报正在等待{waiting}，不是{level}",
        "en": "this response awaits {waiting}, not {level}",
    },
    "already_status": {"zh": "此填报已经是“{status}”", "en": "the response is already {status}"},
    "say_what_to_correct": {
        "zh": "请写明需要改正什么：对整份填报或对某一题的意见",
        "en": "say what to correct: a comment on the response or on an item",
    },
    "comment_too_long": {"zh": "意见不能超过{limit}字", "en": "a comment is at most {limit:,} characters"},
    "not_an_evaluator": {
        "zh": "{user} 不是县、市或省的评审员",
        "en": "{user} is not an evaluator of a county, city or province",
    },
    "status_new": {"zh": "未开始", "en": "not started"},
    "status_draft": {"zh": "草稿", "en": "draft"},
    "status_submitted": {"zh": "已提交", "en": "submitted"},
    "status_returned": {"zh": "已退回", "en": "returned"},
    "status_approved": {"zh": "已通过", "en": "approved"},
    "review_level_0": {"zh": "自评", "en": "self-assessment"},
    "review_level_1": {"zh": "县级评审", "en": "county review"},
    "review_level_2": {"zh": "市级复核", "en": "city re-check"},
    "review_level_3": {"zh": "省级抽查", "en": "provincial spot check"},
    "review_level_4": {"zh": "国家抽查", "en": "national spot check"},
    # ---------------------------------------------------------------- what keeps a response from submission
    "cannot_submit_yet": {"zh": "还不能提交：{problems}", "en": "cannot submit yet: {problems}"},
    "not_approved": {"zh": "未通过：{problems}", "en": "not approved: {problems}"},
    "problems_listed": {"zh": "{problems}", "en": "{problems}"},
    "problems_and_more": {"zh": "{problems}；等共{count}项", "en": "{problems}; {count} in all"},
    "must_answer": {"zh": "{item}：必填", "en": "{item}: required"},
    "constraint_broken": {"zh": "{item}：{rule}", "en": "{item}: {rule}"},
    "evidence_needed": {"zh": "{clause}：需上传佐证材料", "en": "{clause}: evidence must be uploaded"},
    "clause_numbered": {"zh": "条款 {number}", "en": "clause {number}"},
    "not_submittable": {
        "zh": "以下机构的填报还不能提交：{centres}",
        "en": "these responses cannot be submitted yet: {centres}",
    },
    "ratings_refused": {
        "zh": "以下机构的自评不符合条款：{centres}",
        "en": "these self-ratings do not fit their clauses: {centres}",
    },
    # ---------------------------------------------------------------- clause ratings
    "rating_unknown_clause": {"zh": "不是本问卷的条款", "en": "not a clause of this instrument"},
    "rating_needs_reason": {"zh": "选择“不适用”时请写明理由", "en": "give a reason when choosing “not applicable”"},
    "rating_note_too_long": {"zh": "说明不能超过{limit}字", "en": "a note may be at most {limit:,} characters"},
    # ---------------------------------------------------------------- evidence
    "evidence_type": {
        "zh": "只接受 PDF、JPEG、PNG、XLSX、DOCX 文件（按文件内容识别，与扩展名无关）",
        "en": "only PDF, JPEG, PNG, XLSX and DOCX files are accepted (recognised by content, whatever the name)",
    },
    "evidence_size": {"zh": "单个文件不能超过{limit}", "en": "a file may not exceed {limit}"},
    "evidence_total": {
        "zh": "每份填报的佐证材料合计不能超过{limit}",
        "en": "the evidence of one response may not exceed {limit} in all",
    },
    "evidence_other_centre": {
        "zh": "只能为本机构的填报上传佐证材料",
        "en": "evidence can be added to your own centre's response only",
    },
    "evidence_locked": {
        "zh": "填报已提交、已通过或轮次已结束，不能再添加或删除佐证材料",
        "en": "the response is submitted or approved, or the round is closed: "
        "evidence can no longer be added or removed",
    },
    "evidence_target": {"zh": "此项不接受佐证材料", "en": "this takes no evidence"},
    "evidence_appeal": {"zh": "此项没有待处理的申诉", "en": "there is no pending appeal on this"},
    # ---------------------------------------------------------------- appeals
    "appeal_other_centre": {
        "zh": "只能对本机构的填报提出申诉",
        "en": "you can appeal on your own centre's response only",
    },
    "appeal_closed": {
        "zh": "轮次已结束，不能再申诉或处理申诉",
        "en": "the round is closed: appeals can no longer be lodged or decided",
    },
    "appeal_unknown": {
        "zh": "没有这一项，或它按填报数据自动评级",
        "en": "no such item, or it is rated from the answers",
    },
    "appeal_not_disputed": {
        "zh": "核实结果与上报一致，无需申诉",
        "en": "the verified value is the one reported: there is nothing to appeal",
    },
    "appeal_reason": {"zh": "请写明申诉理由", "en": "give the reason for the appeal"},
    "appeal_decision": {"zh": "不予采纳时请写明理由", "en": "give a reason when rejecting"},
    "appeal_too_long": {"zh": "理由不能超过{limit}字", "en": "a reason may be at most {limit:,} characters"},
    "appeal_pending": {"zh": "此项已有一项申诉在等待处理", "en": "an appeal on this is already pending"},
    "appeal_not_yours": {
        "zh": "此申诉应由核实该值的那一级评审处理",
        "en": "this appeal is decided by the review level that verified the value",
    },
    "appeal_decided": {"zh": "此申诉已处理过", "en": "this appeal has been decided already"},
    "appeals_pending": {"zh": "还有申诉等待处理：{pending}", "en": "appeals still pending: {pending}"},
    # ---------------------------------------------------------------- users and signing in
    "username_invalid": {
        "zh": "用户名应为 3–64 个字母、数字或 . _ @ -",
        "en": "a username is 3–64 letters, digits or . _ @ -",
    },
    "user_exists": {"zh": "用户 '{user}' 已存在", "en": "user '{user}' already exists"},
    "unknown_role": {"zh": "未知的角色 '{role}'；可用：{roles}", "en": "unknown role '{role}'; use one of {roles}"},
    "role_needs_unit": {
        "zh": "{role}账号需要所属机构（--org）",
        "en": "a {role} user needs an organisation unit (--org)",
    },
    "centre_user_level": {
        "zh": "基层医疗卫生机构账号只能属于乡镇（街道）或社区，不能属于{level}",
        "en": "a centre user belongs to a township or community unit, not a {level}",
    },
    "role_centre": {"zh": "基层医疗卫生机构", "en": "centre"},
    "role_evaluator": {"zh": "评审员", "en": "evaluator"},
    "role_official": {"zh": "卫生健康行政部门", "en": "official"},
    "role_admin": {"zh": "管理员", "en": "admin"},
    "password_short": {"zh": "密码至少{n}个字符", "en": "A password needs at least {n} characters"},
    "password_has_username": {"zh": "密码不能包含用户名", "en": "A password may not contain the username"},
    "password_common": {
        "zh": "此密码太常见或太容易被猜到（如 12345678、password、名字加生日）。"
        "请换用更长、更少见的组合，如几个不相关的词加数字和符号。",
        "en": "This password is too common or too easy to guess (like 12345678, password, a name and a birthday). "
        "Choose a longer, less common one, such as a few unrelated words with digits and symbols.",
    },
    "password_wrong": {"zh": "当前密码不正确", "en": "The current password is wrong"},
    "self_unadmin": {
        "zh": "不能取消自己的管理员角色",
        "en": "you cannot take away your own administrator role",
    },
    "self_disable": {"zh": "不能停用自己的账号", "en": "you cannot disable your own account"},
    "signin_locked": {
        "zh": "登录失败次数过多，请{minutes}分钟后再试。",
        "en": "Too many failed sign-ins. Please try again in {minutes} minutes.",
    },
    # ---------------------------------------------------------------- instruments
    "version_differs": {
        "zh": "问卷 {instrument} 的版本{version}已载入，内容与此不同；修改过的问卷请用新的版本号",
        "en": "{instrument} version {version} is already loaded with different content; "
        "give the changed instrument a new version",
    },
    "version_retired": {
        "zh": "问卷 {instrument} 的版本 {version} 已停用，不能用于新的轮次；请选用其他版本，或先恢复使用此版本",
        "en": "{instrument} version {version} is retired and opens no new round; choose another version, "
        "or restore this one first",
    },
    "version_last_usable": {
        "zh": "版本 {version} 是问卷 {instrument} 唯一未停用的版本，不能停用；请先载入或恢复使用另一个版本",
        "en": "version {version} is the only version of {instrument} in use and cannot be retired; "
        "load or restore another version first",
    },
    "instrument_not_text": {
        "zh": "{file}：不是 UTF-8 文本，也不是 .xlsx 工作簿",
        "en": "{file}: not UTF-8 text, nor an .xlsx workbook",
    },
    # ---------------------------------------------------------------- imports, templates, league tables
    "no_centres_in_scope": {
        "zh": "范围内没有填报本轮问卷的机构",
        "en": "no centres in scope answer this round's instrument",
    },
    "cannot_submit_row": {"zh": "不能提交：{problem}", "en": "cannot be submitted: {problem}"},
    "rating_reason_in_column": {
        "zh": "选择“不适用”时须在 '{column}' 列写明理由",
        "en": "not applicable needs a reason, written in the column '{column}'",
    },
    "no_attribute": {"zh": "没有机构有属性 '{by}'{hint}", "en": "no unit has the attribute '{by}'{hint}"},
    "no_attribute_listed": {
        "zh": "没有机构有属性 '{by}'（已有的属性：{attributes}）",
        "en": "no unit has the attribute '{by}' (attributes: {attributes})",
    },
    "no_attributes": {
        "zh": "没有机构有属性 '{by}'（还没有机构有属性）",
        "en": "no unit has the attribute '{by}' (no unit has attributes)",
    },
    "nothing_to_rank": {"zh": "范围内没有可排名的填报", "en": "no responses in scope to rank"},
    "no_responses_in_scope": {"zh": "范围内没有填报", "en": "no responses in scope"},
    "no_response_from": {"zh": "机构 '{code}' 没有填报", "en": "no response from '{code}'"},
    # ---------------------------------------------------------------- background jobs
    "job_failed": {
        "zh": "任务出错，未完成。请稍后重试，或联系管理员。",
        "en": "The job went wrong and did not finish. Try again later, or ask an administrator.",
    },
    "job_approved": {
        "zh": "已通过{approved}份；未通过{refused}份（未通过的原因见各填报页）。",
        "en": "{approved} approved; {refused} not approved (each response's page says why).",
    },
    "job_scored": {"zh": "已重新评分{count}份。", "en": "{count} responses scored again."},
}

register(STORE_MESSAGES)
