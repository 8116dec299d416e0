#!/usr/bin/python3
"""dump-args.py OUT ARGS...: writes what it was given, as the kernel has it, byte for byte:
/proc/self/cmdline to OUT.cmdline and /proc/self/environ to OUT.environ."""
import sys

out = sys.argv[1]
for part in ("cmdline", "environ"):
    with open("/proc/self/" + part, "rb") as source, open(out + "." + part, "wb") as target:
        target.write(source.read())
