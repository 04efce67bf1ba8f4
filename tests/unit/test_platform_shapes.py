"""The platforms the simulator does not play yet, checked against session shapes written
here after vendor documentation and public captures (our own host names and values):
their prompts in every mode, what must not pass for a prompt, the pager, the privileged
prompt, and the facts in their version output. Their secret rules are in the corpus."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from netraven_desktop.core.drivers.filters import clean_config, parse_facts
from netraven_desktop.core.drivers.profiles import rejected
from netraven_desktop.core.platforms import PLATFORMS
from netraven_desktop.sim.personalities import PERSONALITIES


@dataclass(frozen=True)
class Shape:
    prompts: tuple[str, ...]  # every mode's prompt, as the unfinished last line
    user_mode: tuple[str, ...] = ()  # of those, the ones before `enable`
    not_prompts: tuple[str, ...] = ()  # banner and output lines that must not end a read
    pager: str = ""  # the pager line, if paging cannot be turned off
    version: str = ""  # the version command's output
    facts: tuple[tuple[str, str], ...] = ()
    volatile: tuple[str, ...] = ()  # lines the profile drops (they change on every read)
    # How the platform rejects a command it does not know (its first lines of output).
    error: str = "                 ^\n% Invalid input detected at '^' marker.\n"


SHAPES = {
    "cisco_ftd": Shape(
        prompts=("> ",),
        not_prompts=("Copyright 2004-2023, Cisco and/or its affiliates. All rights reserved. ",),
        pager="<--- More --->",
        version="-------------------[ ftd-edge-1 ]--------------------\n"
        "Model                     : Cisco Firepower 2110 Threat Defense (77) Version 7.2.5 "
        "(Build 208)\n"
        "UUID                      : 1c2d3e4f-0a1b-11ee-9c3d-0123456789ab\n",
        facts=(("model", "Cisco Firepower 2110 Threat Defense"), ("os_version", "7.2.5")),
        volatile=(": Saved", "Cryptochecksum:0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    ),
    "cisco_wlc": Shape(
        error="\nIncorrect usage. Use the '?' or <TAB> key to list commands.\n",
        prompts=(
            "(Cisco Controller) >",
            "(WLC Campus-1) >",
            "(Cisco Controller) config>",
            "(wlc-2504) config wlan>",
        ),
        not_prompts=(
            "(Cisco Controller)",
            "User: ",
            "Password:",
            "Product Name..................................... Cisco Controller",
            'mgmtuser description netops "NOC (read-write) > rack B"',
        ),
        pager="--More-- or (q)uit",
        version="Manufacturer's Name.............................. Cisco Systems Inc.\n"
        "Product Name..................................... Cisco Controller\n"
        "Product Version.................................. 8.5.182.0\n"
        "RTOS Version..................................... 8.5.182.0\n"
        "System Name...................................... wlc-2504\n"
        # `show inventory` (the profile's facts_commands), after the version's output.
        "Burned-in MAC Address............................ 00:1E:14:AB:CD:EF\n"
        'NAME: "Chassis"    , DESCR: "Cisco 2504 Wireless Controller"\n'
        "PID: AIR-CT2504-K9,  VID: V03,  SN: PSZ1749A0BC\n",
        facts=(("model", "AIR-CT2504-K9"), ("serial", "PSZ1749A0BC"), ("os_version", "8.5.182.0")),
        volatile=("rogue adhoc alert 5e:11:22:33:44:55", "rogue client Unknown 7a:aa:bb:cc:dd:ee"),
    ),
    "cisco_s300": Shape(
        prompts=("sg300-idf1>", "sg300-idf1#", "sg300-idf1(config)#", "sg300-idf1(config-if)#"),
        user_mode=("sg300-idf1>",),
        not_prompts=("User Name:",),
        pager="More: <space>,  Quit: q or CTRL+Z, One line: <return> ",
        version="SW version    2.5.9.54 ( date  26-Aug-2022 time  17:14:41 )\n"
        "Boot version    1.4.0.02 ( date  09-Mar-2020 time  11:09:20 )\n"
        "HW version    V03\n",
        facts=(("os_version", "2.5.9.54"),),
    ),
    "dell_os10": Shape(
        error="% Error: Unrecognized command.\n",
        prompts=("OS10#", "leaf1(config)#", "leaf1(conf-if-eth1/1/1)#"),
        not_prompts=("Dell SmartFabric OS10 Enterprise",),
        version="Dell SmartFabric OS10 Enterprise\n"
        "Copyright (c) 1999-2023 by Dell Inc. All Rights Reserved.\n"
        "OS Version: 10.5.4.0\nBuild Version: 10.5.4.0.98\n"
        "Build Time: 2022-10-03T21:32:54+0000\nSystem Type: S5248F-ON\n"
        "Architecture: x86_64\nUp Time: 1 week 2 days 03:12:45\n",
        facts=(("model", "S5248F-ON"), ("os_version", "10.5.4.0")),
        volatile=("! Last configuration change at Nov 27 10:31:02 2026",),
    ),
    "dell_force10": Shape(
        prompts=(
            "s4048-leaf1>",
            "s4048-leaf1#",
            "s4048-leaf1(conf)#",
            "s4048-leaf1(conf-if-te-1/1)#",
        ),
        user_mode=("s4048-leaf1>",),
        pager="--More--",
        version="Dell Real Time Operating System Software\n"
        "Dell Operating System Version:  2.0\n"
        "Dell Application Software Version:  9.14(2.4)\n"
        "Copyright (c) 1999-2019 by Dell Inc. All Rights Reserved.\n"
        "Build Time: Fri Jun 14 01:13:37 2019\n"
        "s4048-leaf1 uptime is 12 week(s), 3 day(s), 4 hour(s), 5 minute(s)\n\n"
        "System Type: S4048-ON\n",
        facts=(("model", "S4048-ON"), ("os_version", "9.14(2.4)")),
        volatile=(
            "Current Configuration ...",
            "! Version 9.14(2.4)",
            "! Last configuration change at Fri Nov 27 10:31:02 2026 by admin",
        ),
    ),
    "dell_dnos6": Shape(
        prompts=("n3048-idf1>", "n3048-idf1#", "n3048-idf1(config)#", "console#"),
        user_mode=("n3048-idf1>",),
        pager="--More-- or (q)uit",
        version="System Description................ Dell Networking N3048, 6.5.4.4, Linux 3.6.5\n"
        "Machine Type...................... Dell Networking N3048\n"
        "Machine Model..................... N3048\n"
        "Serial Number..................... CN0ABCD1234567890123\n",
        facts=(
            ("model", "Dell Networking N3048"),
            ("serial", "CN0ABCD1234567890123"),
            ("os_version", "6.5.4.4"),
        ),
        volatile=(
            '!System Up Time          "12 days 3 hrs 4 mins 5 secs"',
            "!Current SNTP Synchronized Time: Nov 27 10:31:02 2026 UTC",
        ),
    ),
    "ubiquiti_edgeswitch": Shape(
        prompts=("(UBNT EdgeSwitch) >", "(UBNT EdgeSwitch) #", "(UBNT EdgeSwitch) (Config)#"),
        user_mode=("(UBNT EdgeSwitch) >",),
        not_prompts=("User:",),
        pager="--More-- or (q)uit",
        version="Switch: 1\n\n"
        "System Description............................. EdgeSwitch 24-Port 250W, 1.9.2.5322103\n"
        "Machine Type................................... EdgeSwitch 24-Port 250W\n"
        "Serial Number.................................. 7483C2A1B2C3\n"
        "Software Version............................... 1.9.2.5322103\n",
        facts=(
            ("model", "EdgeSwitch 24-Port 250W"),
            ("serial", "7483C2A1B2C3"),
            ("os_version", "1.9.2.5322103"),
        ),
    ),
    "extreme_vsp": Shape(
        prompts=(
            "VSP-8284XSQ:1>",
            "VSP-8284XSQ:1#",
            "VSP-8284XSQ:1(config)#",
            "VSP-8284XSQ:1(config-if)#",
        ),
        user_mode=("VSP-8284XSQ:1>",),
        pager="----More (q=Quit, space/return=Continue)----",
        version="General Info :\n\n"
        "\tSysDescr     : VSP-8284XSQ (8.1.0.0)\n"
        "\tSysName      : VSP-8284XSQ\n"
        "\tSerial#      : 14JP41234567\n\n"
        "Chassis Info:\n\n"
        "\tChassis            : 8284XSQ\n"
        "\tModelName          : 8284XSQ\n",
        facts=(("model", "8284XSQ"), ("serial", "14JP41234567"), ("os_version", "8.1.0.0")),
        volatile=("# FRI NOV 27 10:31:02 2026 UTC",),
    ),
    "extreme_slx": Shape(
        prompts=("SLX#", "slx-leaf-1#", "slx-leaf-1(config)#", "slx-leaf-1(conf-if-eth-0/1)#"),
        version="SLX-OS Operating System Software\n"
        "SLX-OS Operating System Version: 20.4.1\n"
        "Copyright (c) 1995-2022 Extreme Networks, Inc.\n"
        "Firmware name:      20.4.1\n"
        "Chassis Name:       SLX9150-48Y\n",
        facts=(("model", "SLX9150-48Y"), ("os_version", "20.4.1")),
    ),
    "allied_telesis_awplus": Shape(
        prompts=("awplus>", "awplus#", "awplus(config)#", "awplus(config-if)#"),
        user_mode=("awplus>",),
        pager="--More--",
        version="AlliedWare Plus (TM) 5.5.2-1.1 05/18/22 12:34:56\n\n"
        "Build name : x230-5.5.2-1.1.rel\nBuild date : Wed May 18 12:34:56 NZST 2022\n",
        facts=(("os_version", "5.5.2-1.1"),),
    ),
    "mellanox_mlnxos": Shape(
        prompts=(
            "sn2410-leaf1 [standalone: master] >",
            "sn2410-leaf1 [standalone: master] #",
            "sn2410-leaf1 [standalone: master] (config) #",
            "sn2410-leaf1 [mlag-domain: master] (config interface ethernet 1/1) #",
        ),
        user_mode=("sn2410-leaf1 [standalone: master] >",),
        not_prompts=("NVIDIA Onyx Switch Management",),
        pager="lines 1-38 ",
        version="Product name:      Onyx\nProduct release:   3.10.2202\n"
        "Build ID:          #1-dev\nBuild date:        2022-11-07 13:09:37\n"
        "Target arch:       x86_64\nTarget hw:         x86_64\n"
        "Built by:          sw-r2d2-bot@a1b2c3\nVersion summary:   X86_64 3.10.2202\n\n"
        "Product model:     x86onie\nHost ID:           1C34DA123456\n"
        "System serial num: MT2012X01234\n"
        "System UUID:       03000200-0400-0500-0006-000700080009\n\n"
        "Uptime:            12d 3h 4m 5.678s\nCPU load averages: 0.10 / 0.12 / 0.09\n"
        "System type:       MSN2410\n",
        facts=(("model", "MSN2410"), ("os_version", "3.10.2202")),
        volatile=("## Generated at 2026/11/27 10:31:02 +0000",),
    ),
    "ipinfusion_ocnos": Shape(
        prompts=("OcNOS>", "OcNOS#", "ocnos-pe1(config)#", "ocnos-pe1(config-if)#"),
        user_mode=("OcNOS>",),
        version=" Software version: EC_AS5812-54X-OcNOS-6.0.2.185-MPLS-S0-P0 06/07/2022 "
        "12:34:56\n Copyright (C) 2022 IP Infusion. All rights reserved\n\n"
        " Hardware Model: EC_AS5812-54X\n",
        facts=(
            ("model", "EC_AS5812-54X"),
            ("os_version", "EC_AS5812-54X-OcNOS-6.0.2.185-MPLS-S0-P0"),
        ),
        volatile=("!Last configuration change at 10:31:02 UTC Fri Nov 27 2026 by ocnos",),
    ),
    "zyxel_os": Shape(
        error="% Command not found\n",
        prompts=("Router>", "Router#", "Router(config)#", "usgflex100(config-if-wan1)#"),
        version="Zyxel Communications Corp.\n"
        "model            : USG FLEX 100\n"
        "firmware version : V5.36(ABUI.0)\n"
        "build date       : 2023-03-01 10:17:45\n",
        facts=(("model", "USG FLEX 100"), ("os_version", "V5.36(ABUI.0)")),
    ),
    "hp_comware": Shape(
        error="                    ^\n % Unrecognized command found at '^' position.\n",
        prompts=(
            "<hpe-5130-idf2>",
            "[hpe-5130-idf2]",
            "[hpe-5130-idf2-GigabitEthernet1/0/1]",
            "RBM_P<fw-a>",
            "[hpe-5130-idf2-radius-ise]",
        ),
        not_prompts=(
            "******************************************************************************",
            "* Copyright (c) 2004-2022 New H3C Technologies Co., Ltd. All rights reserved.*",
        ),
        pager="  ---- More ----",
        version="HPE Comware Software, Version 7.1.070, Release 3506P06\n"
        "Copyright (c) 2010-2022 Hewlett Packard Enterprise Development LP\n"
        "HPE 5130-24G-4SFP+ EI Switch uptime is 0 weeks, 3 days, 4 hours, 5 minutes\n",
        facts=(("model", "5130-24G-4SFP+ EI Switch"), ("os_version", "7.1.070, Release 3506P06")),
    ),
    "aruba_aoscx": Shape(
        error="Invalid input: shwo\n",
        prompts=(
            "cx6300-idf1#",
            "cx6300-idf1(config)#",
            "cx6300-idf1(config-if)#",
            "cx6300-idf1(config-if-vlan)#",
            "cx6300-idf1>",
        ),
        pager="-- MORE --, next page: Space, next line: Enter, quit: q",
        version="Hostname                      : cx6300-idf1\n"
        "System Description            : FL.10.10.1010\n"
        "System Contact                : \n"
        "Product Name                  : JL658A 6300M 24SFP+ 4SFP56 Swch\n"
        "Chassis Serial Nbr            : SG0ZKN1234\n"
        "Base MAC Address              : 8830e0-123456\n"
        "ArubaOS-CX Version            : FL.10.10.1010\n",
        facts=(
            ("model", "JL658A 6300M 24SFP+ 4SFP56 Swch"),
            ("serial", "SG0ZKN1234"),
            ("os_version", "FL.10.10.1010"),
        ),
    ),
    "extreme_exos": Shape(
        error="\n%% Invalid input detected at '^' marker.\n",
        prompts=("X460-48t.1 # ", "* X460-48t.7 # ", "Slot-1 Stack.3 # ", "X440G2-24p.2 > "),
        not_prompts=(
            "Copyright (C) 1996-2021 Extreme Networks. All rights reserved.",
            "# Module devmgr configuration.",
        ),
        pager="Press <SPACE> to continue or <Q> to quit:",
        version="SysName:          x460-core\nSysLocation:      dc1\n"
        "System MAC:       00:04:96:12:34:56\nSystem Type:      X460G2-48t-10G4\n\n"
        "Primary ver:      31.7.1.4\nSecondary ver:    30.7.1.1\n",
        facts=(("model", "X460G2-48t-10G4"), ("os_version", "31.7.1.4")),
    ),
    "vyos": Shape(
        error="\n  Invalid command: [shwo]\n\n",
        prompts=("vyos@vyos:~$ ", "vyos@vyos-edge:~$ ", "vyos@vyos# "),
        not_prompts=("Welcome to VyOS!",),
        pager=":",
        version="Version:          VyOS 1.4.0\nRelease train:    sagitta\n\n"
        "Built by:         autobuild@vyos.net\nBuilt on:         Mon 20 Nov 2023 12:34 UTC\n"
        "Architecture:     x86_64\nBoot via:         installed image\n"
        "Hardware vendor:  QEMU\nHardware model:   Standard PC (i440FX + PIIX, 1996)\n"
        "Hardware S/N:     VYOS-1234\n",
        facts=(
            ("model", "Standard PC (i440FX + PIIX, 1996)"),
            ("serial", "VYOS-1234"),
            ("os_version", "1.4.0"),
        ),
    ),
    "ubiquiti_edgerouter": Shape(
        error="-vbash: shwo: command not found\n",
        prompts=("ubnt@ubnt:~$ ", "admin@er4-branch:~$ ", "ubnt@ubnt# "),
        version="Version:      v2.0.9-hotfix.7\nBuild ID:     5574651\n"
        "Build on:     11/17/23 09:33\nCopyright:    2012-2023 Ubiquiti, Inc.\n"
        "HW model:     EdgeRouter 4\nHW S/N:       7483C2D4E5F6\n"
        "Uptime:       10:31:02 up 12 days\n",
        facts=(
            ("model", "EdgeRouter 4"),
            ("serial", "7483C2D4E5F6"),
            ("os_version", "v2.0.9-hotfix.7"),
        ),
    ),
    "ruckus_fastiron": Shape(
        error="Invalid input -> shwo running-config\nType ? for a list\n",
        prompts=(
            "ICX7150-48P Router>",
            "SSH@ICX7150-48P Router#",
            "SSH@icx7150-idf3(config)#",
            "SSH@icx7150-idf3(config-if-e1000-1/1/1)#",
            "ICX7150-48P Switch>",
        ),
        user_mode=("ICX7150-48P Router>", "ICX7150-48P Switch>"),
        pager="--More--, next page: Space, next line: Return key, quit: Control-c",
        version="  Copyright (c) Ruckus Networks, Inc. All rights reserved.\n"
        "    UNIT 1: compiled on Dec  2 2022 at 19:46:37 labeled as SPR08095h\n"
        "      (32440516 bytes) from Primary SPR08095h.bin (UFI)\n"
        "        SW: Version 08.0.95hT213\n"
        "  HW: Stackable ICX7150-48P-4X1G\n"
        "==========================================================================\n"
        "UNIT 1: SL 1: ICX7150-48P-4X1G POE 48-port Management Module\n"
        "         Serial  #:FEK3224P0AB\n",
        facts=(
            ("model", "ICX7150-48P-4X1G"),
            ("serial", "FEK3224P0AB"),
            ("os_version", "08.0.95hT213"),
        ),
    ),
    "nokia_sros": Shape(
        error="Error: Bad command.\n",
        prompts=(
            "A:pe1-ams# ",
            "*A:pe1-ams# ",
            "A:pe1-ams>config>router# ",
            "B:pe1-ams>config>service>vprn# ",
            "A:admin@pe1-ams# ",
        ),
        not_prompts=(
            "[/]",
            "# TiMOS-C-20.10.R1 cpm/hops64 Nokia 7750 SR Copyright (c) 2000-2020 Nokia.",
        ),
        pager="Press any key to continue (Q to quit)",
        version="TiMOS-C-20.10.R1 cpm/hops64 Nokia 7750 SR Copyright (c) 2000-2020 Nokia.\n"
        "All rights reserved. All use subject to applicable license agreements.\n"
        "Built on Wed Oct 21 14:32:31 PDT 2020 by builder in /builds/c/2010B/R1/panos/main/sros\n",
        facts=(("model", "7750 SR"), ("os_version", "20.10.R1")),
        volatile=(
            "# Generated FRI NOV 27 10:31:02 2026 UTC",
            "# Finished FRI NOV 27 10:31:03 2026 UTC",
        ),
    ),
    "nokia_srl": Shape(
        error="Parsing error: Unknown token 'shwo'. Options are ['show', 'info']\nError: ...\n",
        prompts=("A:srl1# ", "A:admin@leaf1# "),
        not_prompts=(
            "--{ running }--[  ]--",
            "--{ + candidate shared default }--[ interface ethernet-1/1 ]--",
        ),
        version="-----------------------------------------------------------\n"
        "Hostname             : srl1\n"
        "Chassis Type         : 7220 IXR-D2L\n"
        "Part Number          : 3HE16830AARA01\n"
        "Serial Number        : NK2112F0123\n"
        "System HW MAC Address: 1A:2B:3C:4D:5E:6F\n"
        "OS                   : SR Linux\n"
        "Software Version     : v23.10.1\n",
        facts=(("model", "7220 IXR-D2L"), ("serial", "NK2112F0123"), ("os_version", "v23.10.1")),
    ),
    "ciena_saos": Shape(
        error="SHELL PARSER FAILURE: 'shwo' - invalid input\n",
        prompts=("ciena-3930-a> ", "ciena-3930-a*> "),
        version="+------------------------------------------------------------------------+\n"
        "| Installed Package   : saos-06-20-00-0285                               |\n"
        "| Running Package     : saos-06-20-00-0285                               |\n",
        facts=(("os_version", "saos-06-20-00-0285"),),
        volatile=("! Created: Fri Nov 27 10:31:02 2026",),
    ),
    "f5_tmsh": Shape(
        error='Syntax Error: "shwo" unknown property\n',
        prompts=(
            "admin@(bigip1)(cfg-sync Standalone)(Active)(/Common)(tmos)# ",
            "root@(bigip1)(cfg-sync In Sync)(Standby)(/Common)(tmos.ltm)# ",
        ),
        not_prompts=("Last login: Fri Nov 27 10:31:02 2026 from 10.0.0.99",),
        pager="---(less 52%)---",
        version="Sys::Version\nMain Package\n  Product     BIG-IP\n  Version     16.1.3.1\n"
        "  Build       0.0.11\n  Edition     Point Release 1\n",
        facts=(("os_version", "16.1.3.1"),),
    ),
    "citrix_netscaler": Shape(
        error="ERROR: No such command\n",
        prompts=(" > ", "> ", "adc-1> "),
        not_prompts=(" Done",),
        pager="--More--",
        version="\tNetScaler NS13.1: Build 49.13.nc, Date: Jun 20 2023, 11:05:08   (64-bit)\n"
        " Done\n",
        facts=(("os_version", "NS13.1: Build 49.13"),),
        volatile=("# Last modified by `save config`, Fri Nov 27 10:31:02 2026",),
    ),
    "checkpoint_gaia": Shape(
        error="CLINFR0329  Invalid command:'shwo configuration'.\n",
        prompts=("gw-1> ", "gw-1:0> "),
        not_prompts=("[Expert@gw-1:0]#",),
        pager="-- More --",
        version="Product version Check Point Gaia R81.20\nOS build 631\n"
        "OS kernel version 3.10.0-957.21.3cpx86_64\nOS edition 64-bit\n",
        facts=(("os_version", "Check Point Gaia R81.20"),),
        volatile=("# Exported by admin on Fri Nov 27 10:31:02 2026",),
    ),
    "juniper_screenos": Shape(
        error="                     ^-----------unknown keyword shwo\n",
        prompts=("ssg5-branch-> ", "ssg5-branch(M)-> ", "ns5gt->"),
        pager="--- more ---",
        version="Product Name: SSG5-Serial-WLAN\n"
        "Serial Number: 0168102006001234, Control Number: 00000000\n"
        "Hardware Version: 0710(0)-(00), FPGA checksum: 00000000, VLAN1 IP (0.0.0.0)\n"
        "Flash Type: Samsung\n"
        "Software Version: 6.3.0r27.0, Type: Firewall+VPN\n",
        facts=(
            ("model", "SSG5-Serial-WLAN"),
            ("serial", "0168102006001234"),
            ("os_version", "6.3.0r27.0"),
        ),
    ),
    "cumulus_linux": Shape(
        error="-bash: nv: command not found\n",
        prompts=("cumulus@leaf01:mgmt:~$ ", "cumulus@leaf01:~$ ", "root@spine01:~# "),
        version='DISTRIB_ID="Cumulus Linux"\nDISTRIB_RELEASE=5.6.0\n'
        'DISTRIB_DESCRIPTION="Cumulus Linux 5.6.0"\n',
        facts=(("os_version", "5.6.0"),),
    ),
}


def test_every_platform_not_simulated_has_shapes():
    assert set(SHAPES) == set(PLATFORMS) - set(PERSONALITIES)


@pytest.mark.parametrize("key", sorted(SHAPES))
def test_prompts_in_every_mode_end_a_read_and_nothing_else_does(key: str):
    profile, shape = PLATFORMS[key], SHAPES[key]
    prompt = re.compile(profile.prompt)
    for line in shape.prompts:
        assert prompt.match(line), line
    for line in shape.not_prompts:
        assert not prompt.match(line), line


@pytest.mark.parametrize("key", sorted(SHAPES))
def test_the_privileged_prompt_is_told_from_the_user_prompt(key: str):
    profile, shape = PLATFORMS[key], SHAPES[key]
    if not profile.enable_command:
        assert not shape.user_mode
        return
    assert shape.user_mode
    for line in shape.prompts:
        privileged = bool(re.search(profile.enabled_prompt, line))
        assert privileged == (line not in shape.user_mode), line


@pytest.mark.parametrize("key", sorted(k for k, s in SHAPES.items() if s.pager))
def test_the_pager_prompt_is_answered(key: str):
    assert re.search(PLATFORMS[key].more, SHAPES[key].pager, re.IGNORECASE)


@pytest.mark.parametrize("key", sorted(SHAPES))
def test_facts_come_from_the_version_output(key: str):
    profile, shape = PLATFORMS[key], SHAPES[key]
    assert profile.version_command
    assert parse_facts(shape.version, profile) == {"vendor": profile.vendor, **dict(shape.facts)}


@pytest.mark.parametrize("key", sorted(k for k, s in SHAPES.items() if s.volatile))
def test_volatile_lines_are_dropped(key: str):
    kept = "hostname lab-1\ninterface port1\n"
    text = "\n".join(SHAPES[key].volatile) + "\n" + kept
    assert clean_config(text, PLATFORMS[key]) == kept


@pytest.mark.parametrize("key", sorted(SHAPES))
def test_a_rejected_command_is_told_from_output(key: str):
    profile, shape = PLATFORMS[key], SHAPES[key]
    assert rejected(shape.error, profile)
    assert not rejected(shape.version, profile)
