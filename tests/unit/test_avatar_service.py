"""AvatarService with in-memory fakes: no Flask, no database."""

from __future__ import annotations

import io

import pytest

from forumapp.avatars.images import ImageLimits, InvalidImage
from forumapp.avatars.service import AvatarService, AvatarSettings, file_name
from forumapp.forum.errors import NotFound
from tests.pictures import picture
from tests.storage_fakes import CountingTransaction, MemoryAvatarKeys, MemoryStorage

SETTINGS = AvatarSettings(ImageLimits(max_bytes=64 * 1024, max_side=1024))


@pytest.fixture
def storage() -> MemoryStorage:
    return MemoryStorage()


@pytest.fixture
def keys() -> MemoryAvatarKeys:
    return MemoryAvatarKeys()


@pytest.fixture
def transaction() -> CountingTransaction:
    return CountingTransaction()


@pytest.fixture
def service(
    storage: MemoryStorage, keys: MemoryAvatarKeys, transaction: CountingTransaction
) -> AvatarService:
    return AvatarService(keys, storage, transaction, SETTINGS)


def upload(colour: str = "red") -> io.BytesIO:
    return io.BytesIO(picture("PNG", colour=colour))


def test_an_upload_stores_one_webp_per_size_and_points_the_row_at_them(
    service: AvatarService,
    storage: MemoryStorage,
    keys: MemoryAvatarKeys,
    transaction: CountingTransaction,
) -> None:
    key = service.replace(1, upload())
    assert keys.keys[1] == key and len(key) == 32
    assert sorted(storage.files) == sorted(file_name(1, key, size) for size in (32, 64, 128))
    assert {content_type for _, content_type in storage.files.values()} == {"image/webp"}
    assert transaction.commits == 1


def test_replacing_deletes_the_old_files_after_the_row_moved_on(
    service: AvatarService, storage: MemoryStorage
) -> None:
    old = service.replace(1, upload("red"))
    new = service.replace(1, upload("green"))
    assert new != old
    assert sorted(storage.files) == sorted(file_name(1, new, size) for size in (32, 64, 128))


def test_file_names_are_per_member_so_one_members_removal_spares_anothers_files(
    service: AvatarService, storage: MemoryStorage
) -> None:
    first = service.replace(1, upload())
    second = service.replace(2, upload())
    assert first == second  # the same picture...
    service.remove(1)
    # ...yet member 2 keeps theirs.
    assert sorted(storage.files) == sorted(file_name(2, second, size) for size in (32, 64, 128))


def test_removing_clears_the_row_and_deletes_the_files(
    service: AvatarService,
    storage: MemoryStorage,
    keys: MemoryAvatarKeys,
    transaction: CountingTransaction,
) -> None:
    service.replace(1, upload())
    service.remove(1)
    assert keys.keys[1] is None and storage.files == {}
    assert transaction.commits == 2
    service.remove(1)  # nothing to remove: no write at all
    assert transaction.commits == 2


def test_an_invalid_upload_changes_nothing(
    service: AvatarService,
    storage: MemoryStorage,
    keys: MemoryAvatarKeys,
    transaction: CountingTransaction,
) -> None:
    key = service.replace(1, upload())
    with pytest.raises(InvalidImage):
        service.replace(1, io.BytesIO(b"not a picture"))
    assert keys.keys[1] == key and len(storage.files) == 3 and transaction.commits == 1


def test_an_upload_is_read_only_up_to_one_byte_past_the_limit(service: AvatarService) -> None:
    class Endless(io.RawIOBase):
        """A stream that never ends, as a hostile client's body would like to be."""

        asked: list[int] = []

        def read(self, size: int = -1) -> bytes:
            self.asked.append(size)
            return b"\x00" * size

    stream = Endless()
    with pytest.raises(InvalidImage, match="larger than"):
        service.replace(1, stream)  # type: ignore[arg-type]
    assert stream.asked == [64 * 1024 + 1]


def test_a_failed_commit_leaves_no_new_files_and_keeps_the_old_avatar(
    service: AvatarService,
    storage: MemoryStorage,
    keys: MemoryAvatarKeys,
    transaction: CountingTransaction,
) -> None:
    old = service.replace(1, upload("red"))
    transaction.fail_commit = True
    with pytest.raises(RuntimeError):
        service.replace(1, upload("green"))
    assert transaction.rollbacks == 1
    assert sorted(storage.files) == sorted(file_name(1, old, size) for size in (32, 64, 128))


def test_old_files_that_cannot_be_deleted_do_not_fail_the_change(
    service: AvatarService, storage: MemoryStorage, keys: MemoryAvatarKeys
) -> None:
    service.replace(1, upload("red"))
    storage.fail_deletes = True
    new = service.replace(1, upload("green"))
    assert keys.keys[1] == new


def test_an_unknown_member_is_not_found(service: AvatarService, storage: MemoryStorage) -> None:
    with pytest.raises(NotFound):
        service.replace(99, upload())
    with pytest.raises(NotFound):
        service.remove(99)
    assert storage.files == {}
