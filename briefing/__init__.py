"""briefing: cited, uncertainty-aware news briefings."""

__version__ = "0.1.0"
