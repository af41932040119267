"""Genesys Cloud regions and the host families each one serves."""

from __future__ import annotations

#: Region id → domain (``api.<domain>``, ``login.<domain>``, ``webmessaging.<domain>``,
#: ``api-cdn.<domain>``), as listed by the official Python SDK's region hosts.
REGIONS: dict[str, str] = {
    "us_east_1": "mypurecloud.com",
    "eu_west_1": "mypurecloud.ie",
    "ap_southeast_2": "mypurecloud.com.au",
    "ap_northeast_1": "mypurecloud.jp",
    "eu_central_1": "mypurecloud.de",
    "us_west_2": "usw2.pure.cloud",
    "ca_central_1": "cac1.pure.cloud",
    "ap_northeast_2": "apne2.pure.cloud",
    "eu_west_2": "euw2.pure.cloud",
    "ap_south_1": "aps1.pure.cloud",
    "us_east_2": "use2.us-gov-pure.cloud",
    "sa_east_1": "sae1.pure.cloud",
    "me_central_1": "mec1.pure.cloud",
    "ap_northeast_3": "apne3.pure.cloud",
    "eu_central_2": "euc2.pure.cloud",
    "mx_central_1": "mxc1.pure.cloud",
    "ap_southeast_1": "apse1.pure.cloud",
    "eusc_de_east_1": "edee1.eusc-pure.cloud",
}

HOST_PREFIXES = ("api", "login", "api-cdn", "webmessaging")


def normalize_region(name: str) -> str | None:
    """``us-east-1``, ``US_EAST_1`` or a domain like ``mypurecloud.com`` → ``us_east_1``."""
    key = name.strip().lower().replace("-", "_")
    if key in REGIONS:
        return key
    for region, domain in REGIONS.items():
        if name.strip().lower() == domain:
            return region
    return None


def all_hosts() -> list[str]:
    """Every real Genesys host name the mock can stand in for."""
    return [f"{prefix}.{domain}" for domain in REGIONS.values() for prefix in HOST_PREFIXES]
