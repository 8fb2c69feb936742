#!/usr/bin/env python3
"""Traffic programs for scripts/bench.sh: a 1-byte echo server and two TCP clients.

Stdlib only. Every program is bounded (duration or count) and talks only to the address it is
given; bench.sh runs each one inside one of its own network namespaces.

  serve     --bind IP --port P [--procs M]
            M forked processes accept on one shared listening socket. Per connection: TCP_NODELAY,
            echo every byte received until the peer closes, then close. The *client* therefore
            closes first and keeps the TIME_WAIT (which tcp_tw_reuse in the client namespace
            recycles), exactly like a short request/response client would.
  connrate  --dst IP --port P --duration S [--workers K]
            K processes, each looping: connect, send 1 byte, read 1 byte, close (normal FIN).
            Counts completed connections between two snapshots taken after a short warm-up and
            prints {"conns_per_s", "conns", "errors", ...} as JSON.
  latency   --dst IP --port P [--count N] [--warmup W]
            One persistent connection, TCP_NODELAY, N sequential 1-byte round trips timed with
            time.perf_counter_ns(); prints {"p50_us", "p99_us", ...} as JSON. A reply missing for
            5 s fails the run.
  udpsink   --bind IP --port P --duration S
            Counts the UDP datagrams that arrive for S seconds and the distinct sources they came
            from; prints {"datagrams", "sources", ...} as JSON.
  udpflood  --dst IP --port P --flows N --size B --duration S [--netns NS1,NS2,...]
            N connected UDP sockets (N flows: N source ports) send B-byte datagrams round-robin,
            as fast as the kernel takes them, for S seconds; prints {"sent", "seconds", ...}.
            With --netns, N sockets in each of those namespaces (/run/netns/NAME; needs root):
            one process drives traffic from many VPCs at once.
"""

import argparse
import json
import math
import multiprocessing as mp
import os
import signal
import socket
import struct
import sys
import time

WARMUP_S = 0.3  # connrate: let every worker reach steady state before the first snapshot
GRACE_S = 2.0  # connrate: how long stragglers get to notice the deadline before being killed


# --------------------------------------------------------------------------------------- serve
def serve_connection(conn: socket.socket) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        data = conn.recv(65536)
        if not data:
            break
        conn.sendall(data)


def serve_forever(listener: socket.socket) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    while True:
        conn, _ = listener.accept()
        try:
            serve_connection(conn)
        except OSError:
            pass  # a reset peer must not take a server process down
        finally:
            conn.close()


def cmd_serve(args: argparse.Namespace) -> int:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.bind, args.port))
    listener.listen(4096)
    children = []
    for _ in range(args.procs):
        pid = os.fork()
        if pid == 0:
            serve_forever(listener)
            os._exit(0)
        children.append(pid)

    def stop(_signum, _frame):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"serving {args.bind}:{args.port} with {args.procs} processes", flush=True)
    while children:
        pid, _ = os.wait()
        children.remove(pid)
    return 0


# ------------------------------------------------------------------------------------ connrate
def connrate_worker(dst, port, deadline, counts, errors, slot) -> None:
    addr = (dst, port)
    done = 0
    failed = 0
    monotonic = time.monotonic
    while monotonic() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.connect(addr)
            s.send(b"x")
            if s.recv(1) != b"x":
                raise OSError("short reply")
            done += 1
            counts[slot] = done
        except OSError:
            failed += 1
            errors[slot] = failed
            time.sleep(0.001)
        finally:
            s.close()


def cmd_connrate(args: argparse.Namespace) -> int:
    ctx = mp.get_context("fork")
    counts = ctx.Array("q", args.workers, lock=False)
    errors = ctx.Array("q", args.workers, lock=False)
    start = time.monotonic()
    deadline = start + WARMUP_S + args.duration
    workers = [
        ctx.Process(target=connrate_worker, args=(args.dst, args.port, deadline, counts, errors, i), daemon=True)
        for i in range(args.workers)
    ]
    for w in workers:
        w.start()
    time.sleep(max(0.0, start + WARMUP_S - time.monotonic()))
    t0, c0 = time.monotonic(), sum(counts)
    time.sleep(max(0.0, deadline - time.monotonic()))
    t1, c1 = time.monotonic(), sum(counts)
    stalled = 0
    grace_end = time.monotonic() + GRACE_S
    for w in workers:
        w.join(timeout=max(0.0, grace_end - time.monotonic()))
    for w in workers:
        if w.is_alive():  # blocked in connect/recv: the path dropped its packets
            stalled += 1
            w.kill()
            w.join()
    conns = c1 - c0
    result = {
        "conns_per_s": conns / (t1 - t0),
        "conns": conns,
        "seconds": t1 - t0,
        "errors": sum(errors),
        "workers": args.workers,
        "stalled_workers": stalled,
    }
    print(json.dumps(result))
    return 0 if conns > 0 else 1


# ------------------------------------------------------------------------------------- latency
def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def cmd_latency(args: argparse.Namespace) -> int:
    s = socket.create_connection((args.dst, args.port), timeout=5)
    s.settimeout(None)  # blocking: no poll() before each recv; SO_RCVTIMEO bounds a lost reply
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 5, 0))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    send, recv, clock = s.send, s.recv, time.perf_counter_ns
    samples = []
    append = samples.append
    for i in range(args.warmup + args.count):
        t0 = clock()
        send(b"x")
        if recv(1) != b"x":
            print("latency: connection closed early", file=sys.stderr)
            return 1
        if i >= args.warmup:
            append(clock() - t0)
    s.close()
    samples.sort()
    us = lambda ns: ns / 1000.0  # noqa: E731
    result = {
        "p50_us": us(percentile(samples, 50)),
        "p99_us": us(percentile(samples, 99)),
        "min_us": us(samples[0]),
        "max_us": us(samples[-1]),
        "mean_us": us(sum(samples) / len(samples)),
        "count": len(samples),
    }
    print(json.dumps(result))
    return 0


# ------------------------------------------------------------------------------- udp flows
def cmd_udpsink(args: argparse.Namespace) -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((args.bind, args.port))
    s.settimeout(0.2)
    deadline = time.monotonic() + args.duration
    count, sources = 0, set()
    while time.monotonic() < deadline:
        try:
            _, src = s.recvfrom(2048)
        except socket.timeout:
            continue
        count += 1
        sources.add(src)
    print(json.dumps({"datagrams": count, "sources": len(sources), "seconds": args.duration}))
    return 0


def enter_netns(name: str) -> None:
    """Moves this (single-threaded) process into network namespace NAME; sockets made
    afterwards belong to it for good."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY | os.O_CLOEXEC)
    try:
        if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
            err = ctypes.get_errno()
            raise OSError(err, f"setns {name}: {os.strerror(err)}")
    finally:
        os.close(fd)


def cmd_udpflood(args: argparse.Namespace) -> int:
    socks = []
    for ns in args.netns.split(",") if args.netns else [None]:
        if ns:
            enter_netns(ns)
        for _ in range(args.flows):
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.setblocking(False)
            u.connect((args.dst, args.port))
            socks.append(u)
    payload = b"x" * args.size
    sent = refused = 0
    start = time.monotonic()
    deadline = start + args.duration
    while time.monotonic() < deadline:
        for u in socks:
            try:
                u.send(payload)
                sent += 1
            except (BlockingIOError, ConnectionRefusedError):
                refused += 1
    seconds = time.monotonic() - start
    print(json.dumps({"sent": sent, "refused": refused, "seconds": seconds, "flows": len(socks),
                      "sent_per_s": sent / seconds}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("serve")
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--procs", type=int, default=12)
    p = sub.add_parser("connrate")
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--workers", type=int, default=8)
    p = sub.add_parser("latency")
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--warmup", type=int, default=500)
    p = sub.add_parser("udpsink")
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--duration", type=float, required=True)
    p = sub.add_parser("udpflood")
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--flows", type=int, default=1000)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--netns", default="")
    args = parser.parse_args()
    cmds = {"serve": cmd_serve, "connrate": cmd_connrate, "latency": cmd_latency, "udpsink": cmd_udpsink,
            "udpflood": cmd_udpflood}
    return cmds[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
