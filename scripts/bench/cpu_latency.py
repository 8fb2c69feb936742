#!/usr/bin/env python3
"""Holds a CPU wake-up latency request of 0 µs (/dev/cpu_dma_latency) until SIGTERM/SIGINT.

The kernel's PM QoS keeps idle CPUs out of deep idle states while the file stays open and drops
the request by itself when it is closed (also if this process dies), so nothing outlives the
benchmark. Why: in a VM an idle vCPU halts and a cross-CPU wake-up costs tens of microseconds
(measured here: 1-byte round trip p50 ≈ 46 µs idle vs ≈ 9 µs with this held), which would
drown the difference between the two forwarding paths that the latency figure is about.
"""

import os
import signal
import struct
import sys

PATH = "/dev/cpu_dma_latency"


def main() -> int:
    try:
        fd = os.open(PATH, os.O_WRONLY)
        os.write(fd, struct.pack("i", 0))
    except OSError as e:
        print(f"cpu_latency: cannot hold {PATH}: {e}", file=sys.stderr)
        return 1
    print(f"holding {PATH} = 0 µs", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    try:
        while True:
            signal.pause()
    finally:
        os.close(fd)


if __name__ == "__main__":
    sys.exit(main())
