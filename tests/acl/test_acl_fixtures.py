"""Choosing ACLs in a downstream suite: the ``fakeconsul_acl`` fixture and the marker's ``acl``."""

from __future__ import annotations

import pytest

INNER = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def test_the_fixture_and_the_marker_choose_acls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import urllib.error, urllib.request
        import pytest
        from fakeconsul.acl import ACLConfig

        @pytest.fixture
        def fakeconsul_acl():
            return ACLConfig(default_policy="deny", initial_management_token="root")

        def status(url, token=None):
            request = urllib.request.Request(url + "/v1/peerings")
            if token:
                request.add_header("X-Consul-Token", token)
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    return answer.status
            except urllib.error.HTTPError as err:
                return err.code

        def test_fixture_denies_anonymous(fake_consul):
            assert (status(fake_consul.url), status(fake_consul.url, "root")) == (403, 200)

        def test_pair_peers_with_the_management_token(fake_consul_pair):
            accepted, dialed = fake_consul_pair.peer()
            assert accepted.state.name == dialed.state.name == "ACTIVE"

        @pytest.mark.fakeconsul(acl=None)
        def test_marker_turns_them_off(fake_consul):
            assert status(fake_consul.url) == 200

        @pytest.mark.fakeconsul(acl=ACLConfig(default_policy="allow"))
        def test_marker_overrides_the_fixture(fake_consul):
            assert status(fake_consul.url) == 200
        """
    )

    result = pytester.runpytest(*INNER)

    result.assert_outcomes(passed=4)


def test_a_marker_acl_of_the_wrong_type_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fakeconsul(acl="deny")
        def test_it(fake_consul):
            pass
        """
    )

    result = pytester.runpytest(*INNER)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.fakeconsul: acl must be an ACLConfig or None, not 'deny'*"])
