#!/usr/bin/env python3
"""Run a command and print its wall time and peak memory: `SECONDS MAX_RSS_KB EXIT_CODE`.

bench/run.sh uses this only where /usr/bin/time is missing. The command's stdout
goes to the file named by the first argument, and its stderr is passed through. Peak
memory is ru_maxrss of the waited-for children (kilobytes on Linux), so for a command
that starts subprocesses it is that of the largest one, not their sum.
"""

import resource
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: measure.py STDOUT_FILE COMMAND [ARGUMENT...]")
    with open(sys.argv[1], "wb") as stdout:
        started = time.perf_counter()
        code = subprocess.run(sys.argv[2:], stdout=stdout).returncode
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{elapsed:.6f} {peak} {code}")


if __name__ == "__main__":
    main()
