"""Go's HTTP server details that random requests (tests/properties) showed the fake missed."""

from __future__ import annotations

import pytest
from werkzeug.test import Client


@pytest.mark.parametrize("method", ["get", "Delete", "options"])
def test_methods_are_case_sensitive(client1: Client, method: str) -> None:
    response = client1.open("/v1/peering/dc2", method=method)

    assert (response.status_code, response.get_data(as_text=True)) == (
        405, f"method {method} not allowed")


@pytest.mark.parametrize("path", ["/nope", "/foo/bar", "/v2/peerings"])
def test_path_outside_the_api_is_404_with_a_hint(client1: Client, path: str) -> None:
    response = client1.get(path)

    assert (response.status_code, response.get_data(as_text=True)) == (
        404,
        "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with "
        "'/v1/'\n",
    )


def test_path_with_v1_inside_is_an_unknown_endpoint(client1: Client) -> None:
    response = client1.get("/x/v1/peerings")

    assert (response.status_code, response.get_data(as_text=True)) == (
        404, "Invalid URL path: not a recognized HTTP API endpoint\n")


def test_a_redirect_to_a_path_with_a_carriage_return_is_a_redirect_not_a_500(
    client1: Client,
) -> None:
    # Go writes the CR as a space; werkzeug then quotes the space in Location as %20.
    response = client1.get("/v1/peering/../peerings%0D")
    assert (response.status_code, response.headers["Location"]) == (301, "/v1/peerings%20")
