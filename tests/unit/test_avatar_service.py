"""AvatarService with in-memory fakes: no Flask, no database."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from forumapp.avatars.errors import ImageLimits, InvalidImage
from forumapp.avatars.service import AvatarService, AvatarSettings, file_name
from forumapp.forum.errors import NotFound
from tests.pictures import picture
from tests.storage_fakes import CountingTransaction, MemoryAvatarKeys, MemoryStorage

SETTINGS = AvatarSettings(ImageLimits(max_bytes=64 * 1024, max_side=1024))


@dataclass
class Rig:
    """The service under test and the fakes behind it."""

    service: AvatarService
    storage: MemoryStorage
    keys: MemoryAvatarKeys
    transaction: CountingTransaction


@pytest.fixture
def rig() -> Rig:
    storage, keys, transaction = MemoryStorage(), MemoryAvatarKeys(), CountingTransaction()
    return Rig(AvatarService(keys, storage, transaction, SETTINGS), storage, keys, transaction)


def upload(colour: str = "red") -> io.BytesIO:
    return io.BytesIO(picture("PNG", colour=colour))


def test_an_upload_stores_one_webp_per_size_and_points_the_row_at_them(rig: Rig) -> None:
    key = rig.service.replace(1, upload())
    assert rig.keys.keys[1] == key and len(key) == 32
    assert sorted(rig.storage.files) == sorted(file_name(1, key, size) for size in (32, 64, 128))
    assert {content_type for _, content_type in rig.storage.files.values()} == {"image/webp"}
    assert rig.transaction.commits == 1


def test_replacing_deletes_the_old_files_after_the_row_moved_on(rig: Rig) -> None:
    old = rig.service.replace(1, upload("red"))
    new = rig.service.replace(1, upload("green"))
    assert new != old
    assert sorted(rig.storage.files) == sorted(file_name(1, new, size) for size in (32, 64, 128))


def test_file_names_are_per_member_so_one_members_removal_spares_anothers_files(rig: Rig) -> None:
    first = rig.service.replace(1, upload())
    second = rig.service.replace(2, upload())
    assert first == second  # the same picture...
    rig.service.remove(1)
    # ...yet member 2 keeps theirs.
    assert sorted(rig.storage.files) == sorted(file_name(2, second, size) for size in (32, 64, 128))


def test_removing_clears_the_row_and_deletes_the_files(rig: Rig) -> None:
    rig.service.replace(1, upload())
    rig.service.remove(1)
    assert rig.keys.keys[1] is None and rig.storage.files == {}
    assert rig.transaction.commits == 2
    rig.service.remove(1)  # nothing to remove: no write at all
    assert rig.transaction.commits == 2


def test_an_invalid_upload_changes_nothing(rig: Rig) -> None:
    key = rig.service.replace(1, upload())
    with pytest.raises(InvalidImage):
        rig.service.replace(1, io.BytesIO(b"not a picture"))
    assert rig.keys.keys[1] == key and len(rig.storage.files) == 3 and rig.transaction.commits == 1


def test_an_upload_is_read_only_up_to_one_byte_past_the_limit(rig: Rig) -> None:
    class Endless(io.RawIOBase):
        """A stream that never ends, as a hostile client's body would like to be."""

        asked: list[int] = []

        def read(self, size: int = -1) -> bytes:
            self.asked.append(size)
            return b"\x00" * size

    stream = Endless()
    with pytest.raises(InvalidImage, match="larger than"):
        rig.service.replace(1, stream)  # type: ignore[arg-type]
    assert stream.asked == [64 * 1024 + 1]


def test_a_failed_commit_leaves_no_new_files_and_keeps_the_old_avatar(rig: Rig) -> None:
    old = rig.service.replace(1, upload("red"))
    rig.transaction.fail_commit = True
    with pytest.raises(RuntimeError):
        rig.service.replace(1, upload("green"))
    assert rig.transaction.rollbacks == 1
    assert sorted(rig.storage.files) == sorted(file_name(1, old, size) for size in (32, 64, 128))


def test_old_files_that_cannot_be_deleted_do_not_fail_the_change(rig: Rig) -> None:
    rig.service.replace(1, upload("red"))
    rig.storage.fail_deletes = True
    new = rig.service.replace(1, upload("green"))
    assert rig.keys.keys[1] == new


def test_an_unknown_member_is_not_found(rig: Rig) -> None:
    with pytest.raises(NotFound):
        rig.service.replace(99, upload())
    with pytest.raises(NotFound):
        rig.service.remove(99)
    assert rig.storage.files == {}
