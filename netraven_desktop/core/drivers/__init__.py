"""Talking to devices: SSH sessions, declarative platform profiles, output filters."""
