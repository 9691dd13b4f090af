"""A first test: your code peers two clusters over HTTP; the fake says whether it worked."""

import json
import urllib.request
from typing import Any

from fakeconsul import PeeringState
from fakeconsul.testing import ServedPair


def post(url: str, body: dict[str, str]) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


def test_peering_becomes_active(fake_consul_pair: ServedPair) -> None:
    dc1, dc2 = fake_consul_pair
    token = post(f"{dc1.url}/v1/peering/token", {"PeerName": "dc2"})["PeeringToken"]
    post(f"{dc2.url}/v1/peering/establish", {"PeerName": "dc1", "PeeringToken": token})
    peering = dc1.read("dc2")
    assert peering is not None and peering.state is PeeringState.ACTIVE
