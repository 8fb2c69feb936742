#!/usr/bin/env python3
"""A flood of concurrent SigV4-signed AWS API requests against privlinkd.

    python3 api_flood.py URL CONNECTIONS     # key from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY

Opens CONNECTIONS keep-alive connections at once; each sends a signed EC2 DescribeVpcs, reads
the answer and sends the next, until stdin closes. Prints "flooding N" once every connection
has had an answer (so all N were open together), and on stdin EOF stops and prints one JSON
line: {"connections": N, "answered": connections that got at least one answer, "requests":
total, "statuses": {"200": …}, "errors": [first few errors], "seconds": flood duration}.

Used by the 1,000-connection e2e test (dataplane/tests/e2e_aws_cli.rs) and scripts/bench-api.py.
Talks only to URL (privlinkd's 127.0.0.1 port).
"""
import asyncio
import json
import os
import re
import resource
import sys
import time
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials

BODY = "Action=DescribeVpcs&Version=2016-11-15"
LENGTH = re.compile(rb"(?im)^content-length: *(\d+)\r$")


def signed_request(url):
    """The raw bytes of one signed request (a replay within the 15-minute skew is valid)."""
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=url + "/", data=BODY,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    creds = botocore.credentials.Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    botocore.auth.SigV4Auth(creds, "ec2", "us-east-1").add_auth(req)
    host = urllib.parse.urlsplit(url).netloc
    head = f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(BODY)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in req.headers.items() if k.lower() != "content-length")
    return (head + "\r\n" + BODY).encode()


async def client(host, port, payload, stats, on_first, stop):
    first = True
    writer = None
    try:
        reader, writer = await asyncio.open_connection(host, port)
        while True:
            writer.write(payload)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1].decode()
            m = LENGTH.search(head)
            await reader.readexactly(int(m.group(1)) if m else 0)
            stats["statuses"][status] = stats["statuses"].get(status, 0) + 1
            stats["requests"] += 1
            if first:
                first = False
                stats["answered"] += 1
                on_first()
            if stop.is_set():
                return
    except Exception as e:  # every failure is reported, none is fatal to the others
        if len(stats["errors"]) < 10:
            stats["errors"].append(repr(e))
        if first:
            on_first()
    finally:
        if writer is not None:
            writer.close()


async def main(url, n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 256)), hard))
    u = urllib.parse.urlsplit(url)
    payload = signed_request(url)
    stats = {"connections": n, "answered": 0, "requests": 0, "statuses": {}, "errors": []}
    stop = asyncio.Event()
    pending = [n]

    def on_first():
        pending[0] -= 1
        if pending[0] == 0:
            print(f"flooding {n}", flush=True)

    loop = asyncio.get_running_loop()
    start = time.monotonic()
    tasks = [asyncio.create_task(client(u.hostname, u.port, payload, stats, on_first, stop)) for _ in range(n)]
    await loop.run_in_executor(None, sys.stdin.read)
    stop.set()
    await asyncio.gather(*tasks)
    stats["seconds"] = round(time.monotonic() - start, 3)
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
