"""The command line's own words: what each command prints, in Chinese (the default) or English (SURVEY_LANG=en).

The same form as the core's table (`instruments.messages`), registered into its
one catalogue; the errors the commands report bring their own codes (the core's,
the workbooks', the store's).
"""

from __future__ import annotations

from instruments.messages import register

CLI_MESSAGES: dict[str, dict[str, str]] = {
    "cli_sentence": {"zh": "{line}。", "en": "{line}."},
    "cli_error": {"zh": "错误：{message}", "en": "Error: {message}"},
    "cli_ready": {
        "zh": "数据库已就绪：{path}；内置问卷{count}个",
        "en": "Database ready at {path}; {count} bundled instruments",
    },
    "cli_demo_other_data": {
        "zh": "{path} 中已有其他数据；如要换成演示数据，请加 --force",
        "en": "{path} holds other data; use --force to replace it with the demo",
    },
    "cli_demo_exists": {
        "zh": "演示数据库已在 {path}。登录账号如下（密码均为 {password}）：",
        "en": "Demo database already at {path}. Sign in with (password for all: {password}):",
    },
    "cli_demo_created": {
        "zh": "已在 {path} 创建演示数据库。登录账号如下（密码均为 {password}）：",
        "en": "Demo database created at {path}. Sign in with (password for all: {password}):",
    },
    "cli_serving": {"zh": "网页服务已启动：http://{host}:{port}/", "en": "Serving on http://{host}:{port}/"},
    "cli_worker": {
        "zh": "后台任务进程已启动，同时运行{workers}个任务；按 Ctrl-C 停止。",
        "en": "Worker running {workers} jobs at a time; stop with Ctrl-C.",
    },
    "cli_instrument_loaded": {
        "zh": "已载入 {instrument} {version}：题目{items}个，指标{indicators}个",
        "en": "{instrument} {version} loaded: {items} items, {indicators} indicators",
    },
    "cli_instrument_known": {
        "zh": "{instrument} {version} 此前已载入：题目{items}个，指标{indicators}个",
        "en": "{instrument} {version} already loaded: {items} items, {indicators} indicators",
    },
    "cli_instrument_row": {
        "zh": "{instrument}\t{version}\t{items}个题目\t{indicators}个指标\t{title}\t{loaded_at}",
        "en": "{instrument}\t{version}\t{items} items\t{indicators} indicators\t{title}\t{loaded_at}",
    },
    "cli_instrument_retired_mark": {"zh": "\t已停用（{at}，{by}）", "en": "\tretired ({at}, {by})"},
    "cli_version_retired": {
        "zh": "已停用 {instrument} {version}：新的轮次不再使用此版本，已有轮次照常进行",
        "en": "{instrument} {version} retired: no new round opens on it, rounds already on it carry on",
    },
    "cli_version_restored": {
        "zh": "已恢复使用 {instrument} {version}：新的轮次可以使用此版本",
        "en": "{instrument} {version} restored: new rounds may open on it",
    },
    "cli_units_imported": {
        "zh": "已从 {file} 导入机构：新增{added}个，更新{updated}个",
        "en": "{added} units added, {updated} updated from {file}",
    },
    "cli_password": {"zh": "密码", "en": "Password"},
    "cli_user_added": {"zh": "已添加用户 {user}，角色：{role}", "en": "User {user} added as {role}"},
    "cli_user_added_to": {
        "zh": "已添加用户 {user}，角色：{role}，所属机构：{org}",
        "en": "User {user} added as {role} of {org}",
    },
    "cli_round_opened": {
        "zh": "已开启轮次{round}：{title}（{instrument} {version}）",
        "en": "Round {round} opened: {title} ({instrument} {version})",
    },
    "cli_template_written": {
        "zh": "已写出{count}个机构的填报模板：{path}",
        "en": "Template for {count} centres written to {path}",
    },
    "cli_responses_imported": {
        "zh": "新建填报{created}份，更新{updated}份，未变{unchanged}份（改动答案{changes}项）",
        "en": "{created} responses created, {updated} updated, {unchanged} unchanged ({changes} answers changed)",
    },
    "cli_and_submitted": {"zh": "；已提交{submitted}份", "en": "; {submitted} submitted"},
    "cli_and_skipped": {
        "zh": "；跳过已提交或已通过的{count}份：{codes}",
        "en": "; skipped {count} already submitted or approved: {codes}",
    },
    "cli_scored": {
        "zh": "已为轮次{round}的{count}份填报评分{median}",
        "en": "Scored {count} responses of round {round}{median}",
    },
    "cli_median": {"zh": "，总分中位数 {median:.1f}", "en": "; median total {median:.1f}"},
    "cli_league_written": {
        "zh": "已写出{count}个机构的排名表：{path}",
        "en": "League table of {count} centres written to {path}",
    },
    "cli_league_grouped": {"zh": "，按“{attribute}”分组", "en": ", grouped by {attribute}"},
    "cli_league_csv": {
        "zh": "；数据行超过一个工作表，另写入 {path}",
        "en": "; its tidy rows, past one sheet, to {path}",
    },
    "cli_cards_written": {"zh": "已写出{count}份报告卡：{path}/", "en": "{count} report cards written to {path}/"},
    "cli_backup_written": {
        "zh": "已写出备份：{path}（{size:.1f} MB）",
        "en": "Backup written to {path} ({size:.1f} MB)",
    },
    "cli_backup_live": {
        "zh": "{path} 是正在使用的数据库（或其日志文件），不能用备份覆盖它；请换一个文件名。",
        "en": "{path} is the live database (or one of its log files): a backup cannot replace it; choose another name.",
    },
    "cli_backup_unwritable": {
        "zh": "{path}：无法写入备份（{reason}）。",
        "en": "{path}: the backup cannot be written ({reason}).",
    },
    "cli_unreadable": {"zh": "{path}：无法读取（{reason}）", "en": "{path}: cannot be read ({reason})"},
    "cli_reading_units": {"zh": "读取机构", "en": "Reading units"},
    "cli_reading_answers": {"zh": "读取答案", "en": "Reading answers"},
    "cli_scoring": {"zh": "评分", "en": "Scoring"},
    "cli_writing_league": {"zh": "排名表", "en": "League table"},
    "cli_writing_cards": {"zh": "报告卡", "en": "Report cards"},
}

register(CLI_MESSAGES)
