"""Inline keyboards and message edits as Bot API calls: one way for every router to build them."""

from __future__ import annotations

from typing import Any

from aiogram.methods import EditMessageReplyMarkup, EditMessageText, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.telegram.render import Keyboard


def inline_markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """The keyboard as Telegram's markup; None for no buttons (Telegram removes them)."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=button.text, callback_data=button.data) for button in row]
            for row in keyboard
        ]
    )


def edit_call(message: Message, text: str | None, keyboard: Keyboard) -> TelegramMethod[Any]:
    """Change a message in place: its text and buttons, or (``text`` None) its buttons only."""
    markup = inline_markup(keyboard)
    if text is None:
        return EditMessageReplyMarkup(
            chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
        )
    return EditMessageText(
        chat_id=message.chat.id, message_id=message.message_id, text=text, reply_markup=markup
    )


__all__ = ["edit_call", "inline_markup"]
