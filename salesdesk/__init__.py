"""salesdesk: a local-first sales desk for one rep, in the terminal."""

__version__ = "0.1.0"
