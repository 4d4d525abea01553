"""The version of newsindex: recorded in every index it creates, and printed by ``--version``."""

__version__ = "0.1.0"
