; Inno Setup 6 script: the Windows installer of NetRaven Desktop (per-user or per-machine,
; a Start-menu entry, an optional desktop icon, an uninstaller).
;
; packaging/build.py runs it on Windows when iscc is on PATH, passing every define below.
; By hand, after `python packaging\build.py --bundle-only` (the defaults point at dist\ and
; build\ of this checkout, relative to this file):
;   iscc /DAppVersion=0.1.0 packaging\windows\netraven-desktop.iss

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\netraven-desktop"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\icon\netraven-desktop.ico"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#define AppName "NetRaven Desktop"
#define AppExe "netraven-desktop.exe"

[Setup]
; Never change AppId: upgrades and the uninstaller find the installed copy by it.
AppId={{8F0D3C52-6B7E-4E3A-9C1D-5A2B7E9F4C10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=NetRaven Desktop engineers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Installing for the current user needs no administrator rights.
PrivilegesRequiredOverridesAllowed=dialog
OutputDir={#OutputDir}
OutputBaseFilename=netraven-desktop-{#AppVersion}-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
