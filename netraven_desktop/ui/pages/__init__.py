"""The views of the main window, one module each; `Page` is what they have in common."""

from .base import Page

__all__ = ["Page"]
