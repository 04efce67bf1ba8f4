"""The bundle's entry script: PyInstaller runs a file, not the package's `__main__`
(whose relative imports need a package)."""

from netraven_desktop.__main__ import main

main()
