"""A ``fakeconsul serve``-like child for the state-file figure at scale: it builds a big network
with the Python API, then serves dc1 as ``fakeconsul serve`` does (the same answer hook, so a
state file is saved before each answer), prints ``dc1: URL`` and ``ready``, and serves until
its stdin closes.

``python -m benchmarks.state_server PAIRS [STATE_PATH]``: PAIRS established pairs, dc2 dialing
dc1 (2 x PAIRS peering records). Building over HTTP would take longer than the figure itself.
"""

from __future__ import annotations

import sys

from fakeconsul.model.timing import Timing
from fakeconsul.serve.server import ClusterServer
from fakeconsul.serve.standalone import Standalone

# No heartbeat round during the measurement: one would stamp every stream in whichever request
# happened to catch it up, with or without a state file.
QUIET = Timing(heartbeat_interval=86_400.0)


def main(argv: list[str]) -> int:
    pairs, path = int(argv[0]), (argv[1] if len(argv) > 1 else None)
    world = Standalone(QUIET, path, control_api=False)
    world.open()
    dc1, dc2 = world.cluster("dc1"), world.cluster("dc2")
    for number in range(pairs):
        dc2.establish(f"pair-{number:06d}", dc1.generate_token(f"pair-{number:06d}"))
    world.save()  # the first save writes the whole network, as at a server's start
    server = ClusterServer(dc1, answer_hook=world.answer_hook)
    server.start()
    print(f"dc1: {server.url}", flush=True)
    print("ready", flush=True)
    try:
        sys.stdin.read()  # until the parent closes it
    finally:
        server.stop()
        world.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
