"""coachbot's settings (see :mod:`config.settings`)."""

from config.settings import Settings, describe_settings_error, env_name, load_settings

__all__ = ["Settings", "describe_settings_error", "env_name", "load_settings"]
