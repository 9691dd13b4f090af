"""A first test: your code peers two clusters over HTTP; the fake says whether it worked."""

import json
import urllib.request

from fakeconsul import PeeringState


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


def test_peering_becomes_active(fake_consul_pair):
    dc1, dc2 = fake_consul_pair
    token = post(f"{dc1.url}/v1/peering/token", {"PeerName": "dc2"})["PeeringToken"]
    post(f"{dc2.url}/v1/peering/establish", {"PeerName": "dc1", "PeeringToken": token})
    assert dc1.read("dc2").state is PeeringState.ACTIVE
