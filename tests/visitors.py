"""Helpers for tests of the visitors' forms (feedback/): a browser on another machine, the
signed stamp a form drawn some seconds ago carries, and a valid suggested correction."""

import time

from django.core import signing
from django.test import Client

from feedback import guards

ORIGIN = "http://testserver"


def stamp(form_name: str, seconds_ago: float = 10) -> str:
    """A signed timestamp as a form drawn `seconds_ago` would carry."""
    issued = int((time.time() - seconds_ago) * 1000)
    return signing.Signer(salt=guards._SALT).sign(f"{form_name}:{issued}")


def visitor(address: str = "192.0.2.10") -> Client:
    """A browser on another machine: its own cookies and address, posting from our pages."""
    return Client(REMOTE_ADDR=address, HTTP_ORIGIN=ORIGIN)


def correction_data(**extra) -> dict:
    return {
        "field": "summary",
        "suggestion": "The dialogue took place in Seoul on 9 July 2025.",
        "source_url": "https://www.asiapacific.ca/",
        "name": "",
        "email": "",
        "issued": stamp("correction"),
        "website": "",
        **extra,
    }
