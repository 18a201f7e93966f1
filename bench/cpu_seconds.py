#!/usr/bin/env python3
"""CPU seconds (user + system), for checkout_bench.sh.

  cpu_seconds.py PID...         what the processes have used so far, with their children:
                                those still running and those already reaped (a PostgreSQL
                                postmaster's backends)
  cpu_seconds.py --run CMD...   runs CMD (its output passes through), then prints on stderr
                                "cpu_seconds: N" for CMD and its children
"""
import os
import resource
import subprocess
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3 of proc(5)): ppid is field 4, utime..cstime 14..17.
    return int(fields[1]), sum(int(fields[i]) for i in (11, 12, 13, 14))


def children(parent):
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if stat(name)[0] == parent:
                    found.append(int(name))
            except OSError:
                pass  # gone meanwhile
    return found


def used_by(pids):
    total = 0
    for pid in pids:
        total += stat(pid)[1]
        for child in children(pid):
            try:
                total += stat(child)[1]
            except OSError:
                pass
    return total / TICKS


if sys.argv[1] == "--run":
    code = subprocess.run(sys.argv[2:]).returncode
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"cpu_seconds: {usage.ru_utime + usage.ru_stime}", file=sys.stderr)
    sys.exit(code)
print(used_by(int(pid) for pid in sys.argv[1:]))
