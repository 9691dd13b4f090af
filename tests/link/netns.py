"""Two network namespaces joined by a veth pair: each a host of its own, for processes that must
peer across a real (virtual) wire rather than over loopback.

Only root can make namespaces. Everything made here is named with one random suffix, so two
pytest-xdist workers never meet, and the addresses live only on the veth ends inside the two
namespaces: no route leads anywhere else, so nothing leaves them.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

CLONE_NEWNET = 0x40000000  # <sched.h>; os.CLONE_NEWNET is Python 3.12's
SUBNET = "10.213.7.{}/30"  # a private /30: .1 and .2, one on each veth end
IP_TIMEOUT = 10.0


def ip_command() -> str | None:
    return shutil.which("ip") or next(
        (p for p in ("/usr/sbin/ip", "/sbin/ip") if os.access(p, os.X_OK)), None)


def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None when they can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "network namespaces need root"
    if ip_command() is None:
        return "network namespaces need `ip` (iproute2)"
    return None


class NetnsError(Exception):
    """An ``ip`` command failed (its stderr is the text)."""


class Host:
    """One namespace: its name, its veth address, and a thread inside it for the test's calls.

    The test process stays where it is; only the one thread of ``run`` enters the namespace
    (setns changes the calling thread alone), so sockets it opens reach the namespace's
    addresses.
    """

    def __init__(self, name: str, address: str) -> None:
        self.name = name
        self.address = address
        self._executor = ThreadPoolExecutor(max_workers=1, initializer=self._enter,
                                            thread_name_prefix=f"netns {name}")

    def _enter(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, os.strerror(err))
        finally:
            os.close(fd)

    def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` from inside the namespace."""
        return self._executor.submit(fn, *args).result()

    def exec_argv(self, argv: list[str]) -> list[str]:
        """``argv`` run inside the namespace (``ip netns exec`` execs it: same pid)."""
        return [str(ip_command()), "netns", "exec", self.name, *argv]

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def _ip(*args: str, check: bool = True) -> None:
    done = subprocess.run([str(ip_command()), *args], capture_output=True, text=True,
                          timeout=IP_TIMEOUT)
    if check and done.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {done.stderr.strip()}")


class Wire:
    """Namespaces ``fc-<suffix>-a`` and ``-b``, a veth pair between them, loopback up."""

    def __init__(self) -> None:
        suffix = secrets.token_hex(3)
        self.names = [f"fc-{suffix}-a", f"fc-{suffix}-b"]
        self.hosts: list[Host] = []
        self._made: list[str] = []
        # Interface names hold at most 15 bytes.
        veths = [f"fcv{suffix}a", f"fcv{suffix}b"]
        try:
            for name in self.names:
                _ip("netns", "add", name)
                self._made.append(name)
            _ip("link", "add", veths[0], "netns", self.names[0], "type", "veth",
                "peer", "name", veths[1], "netns", self.names[1])
            for i, (name, veth) in enumerate(zip(self.names, veths, strict=True)):
                cidr = SUBNET.format(i + 1)
                _ip("-n", name, "link", "set", "lo", "up")
                _ip("-n", name, "addr", "add", cidr, "dev", veth)
                _ip("-n", name, "link", "set", veth, "up")
                self.hosts.append(Host(name, cidr.split("/")[0]))
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Leave and delete every namespace made (the veth pair goes with them)."""
        for host in self.hosts:
            host.close()
        for name in self._made:
            _ip("netns", "delete", name, check=False)
        self.hosts, self._made = [], []
