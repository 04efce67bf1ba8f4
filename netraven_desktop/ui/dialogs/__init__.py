"""Dialogs the pages open; each is a `forms.FormDialog` or builds on `forms.Form`."""
