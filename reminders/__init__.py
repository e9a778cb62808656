"""When the bot may nudge a rep, and which zone a rep means: pure time rules, no I/O."""
