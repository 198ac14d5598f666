#!/usr/bin/env python3
"""A local intruder against the VM agent's channel (test_escape_vm_channel.sh).

Runs as root but is not QEMU. Watches /var/lib/cvbench for the run directory
of one cvbench process (its run id ends in -<hex pid>), and for every UNIX
socket that appears anywhere below it:
  1. a forked child drops to nobody:nogroup without supplementary groups and
     tries to connect (expected: EACCES, the directory is closed to it);
  2. this process connects and writes forged READY/DONE lines, then waits for
     the harness to close the connection, and keeps trying to connect again
     while the run lasts (expected: refused, then ENOENT once QEMU has it).
Prints one JSON object: every attempt and its outcome.

usage: vm_channel_intruder.py CVBENCH_PID READY_FILE
"""
import errno
import json
import os
import socket
import sys
import time

RUN_ROOT = "/var/lib/cvbench"
FORGED = b"READY 1 forged_fact=666\nFACT forged_fact 666\nDONE 0 forged_fact=666\n"
NOBODY = 65534


def sockets_below(top):
    found = []
    for dirpath, _dirs, files in os.walk(top):
        for f in files:
            p = os.path.join(dirpath, f)
            try:
                if os.path.stat.S_ISSOCK(os.lstat(p).st_mode):
                    found.append(p)
            except OSError:
                pass
    return found


def as_nobody(path):
    """errno name of a connect by nobody (or 'connected')."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        out = "connected"
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            s.sendall(FORGED)
        except OSError as e:
            out = errno.errorcode.get(e.errno, str(e.errno))
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    out = os.read(r, 64).decode()
    os.close(r)
    os.waitpid(pid, 0)
    return out


def as_root(path):
    """One connection: what happened, what came back."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    t0 = time.monotonic()
    try:
        s.connect(path)
    except OSError as e:
        return {"connected": False, "errno": errno.errorcode.get(e.errno, str(e.errno))}
    got = b""
    outcome = "closed"
    try:
        s.sendall(FORGED)
        s.settimeout(60)
        while True:
            b = s.recv(4096)
            if not b:
                break
            got += b
    except socket.timeout:
        outcome = "still open after 60 s"
    except OSError as e:
        outcome = "reset" if e.errno == errno.ECONNRESET else errno.errorcode.get(e.errno, "?")
    s.close()
    return {"connected": True, "outcome": outcome, "received": got.decode(errors="replace"),
            "open_s": round(time.monotonic() - t0, 3)}


def main():
    cvb_pid = int(sys.argv[1])
    suffix = "-%x-vm" % cvb_pid
    open(sys.argv[2], "w").close()  # watching now
    report = {"pid": os.getpid(), "sockets": {}, "attempts": []}
    deadline = time.monotonic() + 180
    run_dir = None
    while time.monotonic() < deadline:
        try:
            os.kill(cvb_pid, 0)
        except ProcessLookupError:
            break
        if run_dir is None:
            try:
                for d in os.listdir(RUN_ROOT):
                    if d.startswith("cvb-") and d.endswith(suffix):
                        run_dir = os.path.join(RUN_ROOT, d)
            except OSError:
                pass
        if run_dir is None:
            time.sleep(0.001)
            continue
        report["run_dir"] = run_dir
        for p in sockets_below(run_dir):
            if p not in report["sockets"]:
                report["sockets"][p] = {"nobody": as_nobody(p)}
        for p in list(report["sockets"]):
            a = as_root(p)
            if a.get("errno") == "ENOENT" and report["sockets"][p].get("gone"):
                continue  # gone for good: say it once
            a["socket"] = p
            report["attempts"].append(a)
            if a.get("errno") == "ENOENT":
                report["sockets"][p]["gone"] = True
        time.sleep(0.001)
    json.dump(report, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
