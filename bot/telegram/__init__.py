"""The Telegram side of coachbot: updates in, replies out through one sender."""
