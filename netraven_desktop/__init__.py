"""NetRaven Desktop: configuration backup and device inventory for network engineers."""

__version__ = "0.1.0"
