"""Error bodies since Consul 1.15: the gRPC status message alone (agent/http.go ``handleErr``).

Consul <= 1.14 wrote ``rpc error: code = <code> desc = <message>``; 1.15+ unpacks the status and
writes only ``<message>``. The status code still follows the error: 403 for PermissionDenied,
500 for the rest. The model keeps the gRPC code as data (``ConsulError.code``).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from werkzeug.test import Client, TestResponse

from fakeconsul import Cluster, ConsulError, Network, wsgi_app

NAME_RULE = (
    " is not a valid peer name: a valid peering name must consist of lower case alphanumeric "
    "characters or '-', and must start and end with an alphanumeric character"
)
REUSED = "a new peering token must be generated: invalid peering establishment secret"


def _answer(response: TestResponse) -> tuple[int, str]:
    return response.status_code, response.get_data(as_text=True)


def test_an_invalid_name_is_the_message_alone(client1: Client) -> None:
    response = client1.post("/v1/peering/token", data=json.dumps({"PeerName": "Bad_Name"}))

    assert _answer(response) == (500, "Bad_Name" + NAME_RULE)


def test_a_reused_token_is_403_with_the_message_alone(
    client1: Client, client2: Client
) -> None:
    token = json.loads(client2.post("/v1/peering/token", data='{"PeerName":"dc1"}').data)
    body = json.dumps({"PeerName": "dc2", "PeeringToken": token["PeeringToken"]})
    assert client1.post("/v1/peering/establish", data=body).status_code == 200

    response = client1.post("/v1/peering/establish", data=body)

    assert _answer(response) == (403, REUSED)


def test_a_multi_error_keeps_its_list_inside_the_message(
    network: Network, client1: Client, dc2: Cluster
) -> None:
    token = json.loads(client1.post("/v1/peering/token", data='{"PeerName":"dc2"}').data)
    network.take_down(network["dc1"])
    body = json.dumps({"PeerName": "dc1", "PeeringToken": token["PeeringToken"]})

    response = Client(wsgi_app(dc2)).post("/v1/peering/establish", data=body)

    status, text = _answer(response)
    assert (status, text.split("\n\t")[0]) == (500, "1 error occurred:")


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda dc1: dc1.generate_token("Bad_Name"), "Unknown"),
        (lambda dc1: dc1.generate_token("x", partition="other"), "InvalidArgument"),
        (lambda dc1: dc1.establish("x", "e30K"), "Unknown"),
    ],
    ids=["invalid-name", "partition", "bad-token"],
)
def test_the_model_keeps_the_grpc_code_as_data(
    dc1: Cluster, call: Callable[[Cluster], object], code: str
) -> None:
    with pytest.raises(ConsulError) as caught:
        call(dc1)

    assert (caught.value.code, caught.value.message.startswith("rpc error")) == (code, False)


def test_peering_disabled_is_failed_precondition_and_500() -> None:
    cluster = Network().add_cluster("dc1", peering_enabled=False)

    response = Client(wsgi_app(cluster)).get("/v1/peerings")

    assert _answer(response) == (500, "peering must be enabled to use this endpoint")
