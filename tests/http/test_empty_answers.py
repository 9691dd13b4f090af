"""Empty 200 answers carry a Content-Type (agent/http.go ensureContentTypeHeader, 1.20.2+), and
the version the fake reports is Consul CE 1.21's."""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.test import Client, TestResponse

import fakeconsul


def test_a_delete_is_empty_json(
    generate: Callable[..., TestResponse], client1: Client
) -> None:
    generate(PeerName="dc2")

    response = client1.delete("/v1/peering/dc2")

    assert (response.get_data(), response.headers["Content-Type"]) == (b"", "application/json")


def test_options_is_empty_json(client1: Client) -> None:
    response = client1.open("/v1/peerings", method="OPTIONS")

    assert (response.get_data(), response.headers["Content-Type"]) == (b"", "application/json")


def test_a_delete_echoes_the_requests_content_type(client1: Client) -> None:
    # api.GetContentType: for GET and DELETE the request's own Content-Type wins.
    response = client1.delete("/v1/peering/nope", headers={"Content-Type": "text/xml"})

    assert response.headers["Content-Type"] == "text/xml"


def test_options_ignores_the_requests_content_type(client1: Client) -> None:
    response = client1.open("/v1/peerings", method="OPTIONS",
                            headers={"Content-Type": "text/xml"})

    assert response.headers["Content-Type"] == "application/json"


def test_a_redirect_of_a_post_keeps_no_content_type(client1: Client) -> None:
    # The 301 is written by the mux before the wrapper runs: its headers are already sent.
    response = client1.post("/v1/peering")

    assert (response.status_code, "Content-Type" in response.headers) == (301, False)


def test_agent_self_reports_consul_1_21(client1: Client) -> None:
    config = client1.get("/v1/agent/self").json["Config"]  # type: ignore[index]

    assert (config["Version"], fakeconsul.CONSUL_VERSION) == ("1.21.5", "1.21.5")
