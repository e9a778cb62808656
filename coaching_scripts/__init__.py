"""The coaching scripts shipped with coachbot (YAML + Jinja2 texts), and how to load them.

This is the I/O edge of the engine: files are read here and handed to ``dialogs.compile``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from dialogs.catalog import Catalog
from dialogs.check import Sources, check_catalog, check_sources
from dialogs.compile import SHARED_DIR, Problem, build_catalog
from dialogs.contract import Contract

BUILTIN_DIR = Path(__file__).resolve().parent
MESSAGES_FILE = "messages.yaml"
ADAPTER_MESSAGE_KEYS = frozenset(
    {
        "console_bye",
        "console_commands",
        "console_current",
        "tg_back",
        "tg_current",
        "tg_delete_confirm",
        "tg_delete_kept",
        "tg_delete_no",
        "tg_delete_yes",
        "tg_deleted",
        "tg_done",
        "tg_export_caption",
        "tg_nothing_kept",
        "tg_edit_button",
        "tg_lang_choose",
        "tg_lang_set",
        "tg_menu",
        "tg_private_only",
        "tg_skip",
        "pause_held",
        "pause_hold",
        "pause_keep",
        "pause_kept",
        "pause_not_paused",
        "pause_off",
        "pause_past",
        "pause_set",
        "pause_usage",
        "rem_action_cancel",
        "rem_action_debrief",
        "rem_action_done",
        "rem_action_revisit",
        "rem_action_snooze",
        "rem_action_week_plan",
        "rem_action_week_review",
        "rem_cancelled",
        "rem_console_actions",
        "rem_console_usage",
        "rem_debrief_nudge",
        "rem_done",
        "rem_follow_up",
        "rem_gone",
        "rem_late",
        "rem_list_empty",
        "rem_list_more",
        "rem_list_overdue",
        "rem_list_revisits",
        "rem_list_title",
        "rem_list_upcoming",
        "rem_pick_past",
        "rem_pick_time",
        "rem_pick_unclear",
        "rem_revisit",
        "rem_snooze_back",
        "rem_snooze_hour",
        "rem_snooze_next_week",
        "rem_snooze_pick",
        "rem_snooze_tomorrow",
        "rem_snoozed",
        "rem_visit",
        "rem_week_plan",
        "rem_week_review",
        "settings_debrief_nudge",
        "settings_off",
        "settings_on",
        "settings_revisit",
        "settings_title",
        "settings_week_plan",
        "settings_week_review",
        "tz_current",
        "tz_set",
        "tz_unknown",
    }
)
TEAM_MESSAGE_KEYS: frozenset[str] = frozenset(
    {
        "tg_team_already",
        "tg_team_approved",
        "tg_team_button_approval",
        "tg_team_button_approve",
        "tg_team_button_back",
        "tg_team_button_decline",
        "tg_team_button_new_link",
        "tg_team_button_remove",
        "tg_team_button_revoke",
        "tg_team_button_yes_remove",
        "tg_team_created",
        "tg_team_declined",
        "tg_team_gate",
        "tg_team_gate_help",
        "tg_team_invite",
        "tg_team_invite_manager",
        "tg_team_join_request",
        "tg_team_menu",
        "tg_team_more",
        "tg_team_name_ask",
        "tg_team_none",
        "tg_team_not_manager",
        "tg_team_pending",
        "tg_team_refused_expired",
        "tg_team_refused_revoked",
        "tg_team_refused_unknown",
        "tg_team_refused_used_up",
        "tg_team_remove_confirm",
        "tg_team_rep_approved",
        "tg_team_rep_declined",
        "tg_team_rep_removed",
        "tg_team_tap_refused",
        "tg_team_view",
        "tg_team_welcome",
        "tg_team_welcome_manager",
    }
)
"""Onboarding and team management: /newteam, invites, /start <code>, /team, the no-team gate."""
SUMMARY_MESSAGE_KEYS: frozenset[str] = frozenset(
    {
        "mgr_ask_note",
        "mgr_batch_head",
        "mgr_btn_coach",
        "mgr_btn_note",
        "mgr_btn_reviewed",
        "mgr_btn_start",
        "mgr_coach_sent",
        "mgr_coach_to_rep",
        "mgr_debrief_head",
        "mgr_feeling",
        "mgr_notes",
        "mgr_flag_low_feeling",
        "mgr_flag_no_goal",
        "mgr_flag_overdue",
        "mgr_goal",
        "mgr_insight",
        "mgr_next",
        "mgr_not_yours",
        "mgr_note_sent",
        "mgr_note_to_rep",
        "mgr_other",
        "mgr_pick_skill",
        "mgr_reviewed",
        "mgr_reviewed_one",
        "mgr_summaries_daily",
        "mgr_summaries_instant",
        "mgr_summaries_not_manager",
        "mgr_summaries_now",
        "mgr_visit",
    }
)
"""Managers' debrief summaries, coaching notes, reviews, daily batches."""
DIGEST_MESSAGE_KEYS: frozenset[str] = frozenset(
    {
        "digest_all_clear",
        "digest_chart_debriefed",
        "digest_chart_effort",
        "digest_chart_goals",
        "digest_chart_no_week_plan",
        "digest_chart_overdue",
        "digest_chart_planned",
        "digest_chart_process",
        "digest_chart_team_average",
        "digest_chart_team_debriefed",
        "digest_chart_visits",
        "digest_class",
        "digest_col_debriefed",
        "digest_col_effort",
        "digest_col_former",
        "digest_col_follow_ups",
        "digest_col_goals",
        "digest_col_new_existing",
        "digest_col_objections",
        "digest_col_per_day",
        "digest_col_process",
        "digest_col_rep",
        "digest_col_results",
        "digest_col_revisits",
        "digest_col_team",
        "digest_col_visits",
        "digest_col_week_plan",
        "digest_col_with_plan",
        "digest_effort",
        "digest_escalated_count",
        "digest_escalated_heading",
        "digest_escalated_item",
        "digest_escalated_rep",
        "digest_former_line",
        "digest_more",
        "digest_no",
        "digest_no_reps",
        "digest_no_week_plan",
        "digest_not_debriefed",
        "digest_not_debriefed_heading",
        "digest_not_debriefed_item",
        "digest_objection_need",
        "digest_objection_price",
        "digest_objection_product",
        "digest_objection_timing",
        "digest_objections",
        "digest_objections_none",
        "digest_page_generated",
        "digest_page_title",
        "digest_process",
        "digest_rep_line",
        "digest_reps_heading",
        "digest_results",
        "digest_revisits",
        "digest_revisits_none",
        "digest_see_below",
        "digest_title",
        "digest_yes",
    }
)
"""The weekly team digest and the reports (chart labels, HTML page)."""
DELIVERY_MESSAGE_KEYS = frozenset(
    {
        "dg_bad_schedule",
        "dg_bad_week",
        "dg_manager_help",
        "dg_not_manager",
        "dg_schedule_set",
        "dg_usage",
    }
)
"""The weekly digest in Telegram: /digest and its schedule."""
TEAM_SETTINGS_MESSAGE_KEYS = frozenset(
    {
        "ts_bad_classes",
        "ts_bad_date",
        "ts_bad_weekly",
        "ts_bad_zone",
        "ts_not_manager",
        "ts_saved",
        "ts_show",
        "ts_too_many_holidays",
        "ts_usage",
    }
)
"""A team's settings: /teamsettings and ``coachbot team set``."""
ADAPTER_MESSAGE_KEYS = (
    ADAPTER_MESSAGE_KEYS
    | TEAM_MESSAGE_KEYS
    | SUMMARY_MESSAGE_KEYS
    | DIGEST_MESSAGE_KEYS
    | DELIVERY_MESSAGE_KEYS
    | TEAM_SETTINGS_MESSAGE_KEYS
)
"""Texts the console chat and the Telegram bot say themselves (tests check each is listed)."""


class ScriptsError(RuntimeError):
    """The scripts have problems; ``problems`` lists each, naming the file and the step."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def read_sources(folder: Path) -> Sources:
    """Script files of ``folder`` by name, the messages (the folder's own or the built-in) and
    the shared blocks."""
    scripts = {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(folder.glob("*.yaml"))
        if path.name != MESSAGES_FILE
    }
    messages_path = folder / MESSAGES_FILE
    if not messages_path.exists():
        messages_path = BUILTIN_DIR / MESSAGES_FILE
    messages = messages_path.read_text(encoding="utf-8")
    return Sources(scripts, messages, messages_path.name, read_shared(folder))


def read_shared(folder: Path | None = None) -> dict[str, str]:
    """The template blocks scripts import by file name (``shared/*.jinja``): the built-in ones,
    and those of ``folder``, which replace a built-in block of the same name."""
    folders = [BUILTIN_DIR / SHARED_DIR]
    if folder is not None and (folder / SHARED_DIR).resolve() != folders[0].resolve():
        folders.append(folder / SHARED_DIR)
    return {
        path.name: path.read_text(encoding="utf-8")
        for each in folders
        for path in sorted(each.glob("*.jinja"))
    }


def check_path(path: str | Path, contracts: Iterable[Contract] = ()) -> list[str]:
    """``coachbot scripts check``: a folder of scripts, or one script file (with the built-in
    messages), and what ``contracts`` say the code reads from them (``dialogs.contract``)."""
    target = Path(path)
    if not target.exists():
        return [f"{target}: no such file or folder"]
    if target.is_file():
        messages = (BUILTIN_DIR / MESSAGES_FILE).read_text(encoding="utf-8")
        script = {target.name: target.read_text(encoding="utf-8")}
        sources = Sources(script, messages, MESSAGES_FILE, read_shared(target.parent))
    else:
        sources = read_sources(target)
    if not sources.scripts:
        return [f"{target}: no scripts (*.yaml) found"]
    problems = check_sources(
        sources, message_keys=ADAPTER_MESSAGE_KEYS, contracts=contracts, whole=target.is_dir()
    )
    return [str(problem) for problem in problems]


def load_catalog(folder: str | Path | None = None) -> Catalog:
    """Load and check every script; refuse to start with broken scripts."""
    sources = read_sources(Path(folder) if folder else BUILTIN_DIR)
    return _compiled(
        tuple(sources.scripts.items()),
        sources.messages,
        sources.messages_file,
        tuple(sources.shared.items()),
    )


@functools.lru_cache(maxsize=4)
def _compiled(
    scripts: tuple[tuple[str, str], ...],
    messages: str,
    messages_file: str,
    shared: tuple[tuple[str, str], ...],
) -> Catalog:
    """The catalog of these sources, compiled once per process: compiling its thousands of
    templates takes a second or more, and the CLI, the console and the tests load the same
    files again and again. Keyed by the files' text, so an edited script is compiled anew;
    the catalog is frozen, so sharing it is safe."""
    catalog, problems = build_catalog(
        dict(scripts), messages, messages_file=messages_file, shared=dict(shared)
    )
    problems += check_catalog(catalog, messages_file, ADAPTER_MESSAGE_KEYS)
    if problems:
        raise ScriptsError(problems)
    return catalog
