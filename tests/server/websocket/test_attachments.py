from __future__ import annotations

import pytest
from ws_driver import Guest

from mockgenesys import MockGenesys


@pytest.mark.parametrize("name", ["x.com", "SETUP.ADE", "a.app", "b.adp"])
async def test_attachments_refuse_every_extension_the_session_advertises(guest: Guest, name: str) -> None:
    advertised = (await guest.configure())["body"]["blockedExtensions"]
    assert any(name.lower().endswith(extension) for extension in advertised)
    frame = await guest.request("onAttachment", attachmentId="att", fileName=name, fileType="image/png", fileSize=10)
    assert frame["class"] == "UploadFailureEvent" and frame["body"]["errorCode"] == 4001


async def test_attachments_refusal_is_journaled_with_its_error_code(mock: MockGenesys, guest: Guest) -> None:
    await guest.configure()
    await guest.request("onAttachment", attachmentId="att", fileName="run.exe", fileType="image/png", fileSize=10)
    assert [e.status for e in mock.journal.calls("guest.ws.onAttachment", kind="ws.in")] == [4001]
