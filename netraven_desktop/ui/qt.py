"""Every Qt import of the program passes through here, so a binding change is one file.

Views import the modules (`from .qt import QtWidgets`) rather than single names, so a new
widget never needs an edit here.
"""

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QApplication",
    "QCloseEvent",
    "QIcon",
    "QLabel",
    "QMainWindow",
    "QMessageBox",
    "QObject",
    "QProcess",
    "QProcessEnvironment",
    "QSettings",
    "QStatusBar",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "QtCore",
    "QtGui",
    "QtWidgets",
    "Signal",
]
