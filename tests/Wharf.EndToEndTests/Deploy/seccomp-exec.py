#!/usr/bin/env python3
"""Runs a command under the system-call filter a systemd unit's SystemCallFilter= lines describe, without systemd.

    seccomp-exec.py UNIT_FILE -- COMMAND [ARGUMENT...]

The unit's SystemCallFilter= lines are applied as systemd applies them: the first allow list (names and @groups,
expanded with `systemd-analyze syscall-filter`), then each "~" line removes its calls. A call outside the list fails
with the unit's SystemCallErrorNumber= (EPERM here). The filter is built with the system's libseccomp (through ctypes),
loaded with no_new_privs, and the command is exec'd under it.
"""
import ctypes
import errno
import os
import subprocess
import sys

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_ERRNO_BASE = 0x00050000


def groups():
    """Every @group systemd knows, as {name: [members]} (members may be groups themselves)."""
    output = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"], check=True, capture_output=True, text=True).stdout
    table, current = {}, None
    for line in output.splitlines():
        if line.startswith("@"):
            current = line.strip()
            table[current] = []
        elif current and line.strip() and not line.strip().startswith("#"):
            table[current].append(line.strip())
    return table


def expand(names, table, seen=None):
    seen = set() if seen is None else seen
    calls = set()
    for name in names:
        if name.startswith("@"):
            if name not in seen:
                seen.add(name)
                calls |= expand(table[name], table, seen)
        else:
            calls.add(name)
    return calls


def unit_filter(unit):
    """(allowed calls, errno name) from the unit's SystemCallFilter= and SystemCallErrorNumber= lines."""
    table, allowed, error = groups(), None, "EPERM"
    with open(unit, encoding="utf-8") as file:
        for line in file:
            key, _, value = line.strip().partition("=")
            if key == "SystemCallErrorNumber":
                error = value
            elif key == "SystemCallFilter":
                if value.startswith("~"):
                    allowed = (allowed or set()) - expand(value[1:].split(), table)
                else:
                    allowed = (allowed or set()) | expand(value.split(), table)
    if not allowed:
        sys.exit(f"seccomp-exec: {unit} has no SystemCallFilter= allow list")
    return allowed, getattr(errno, error)


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: seccomp-exec.py UNIT_FILE -- COMMAND [ARGUMENT...]")
    allowed, error = unit_filter(sys.argv[1])
    seccomp = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    seccomp.seccomp_init.restype = ctypes.c_void_p
    seccomp.seccomp_init.argtypes = [ctypes.c_uint32]
    seccomp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    seccomp.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
    seccomp.seccomp_load.argtypes = [ctypes.c_void_p]
    context = seccomp.seccomp_init(SCMP_ACT_ERRNO_BASE | error)
    added = 0
    for name in sorted(allowed):
        number = seccomp.seccomp_syscall_resolve_name(name.encode())
        if number < 0:
            continue  # a call this architecture does not have
        if seccomp.seccomp_rule_add(context, SCMP_ACT_ALLOW, number, 0) == 0:
            added += 1
    if seccomp.seccomp_load(context) != 0:
        sys.exit("seccomp-exec: seccomp_load failed")
    print(f"seccomp-exec: {added} system calls allowed, every other one fails with {errno.errorcode[error]}", file=sys.stderr, flush=True)
    os.execvp(sys.argv[3], sys.argv[3:])


main()
