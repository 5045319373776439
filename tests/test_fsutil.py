"""topics.fsutil: files written whole or not at all, files read only if regular."""

import os

import pytest

from topics.fsutil import NotRegularFileError, atomic_open, read_regular, write_bytes_atomic, write_text_atomic


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "tags.jsonl"
    path.write_text("yesterday\n")
    with pytest.raises(RuntimeError), atomic_open(path) as f:
        f.write("half of today")
        raise RuntimeError("killed mid-way")
    assert path.read_text() == "yesterday\n" and os.listdir(tmp_path) == ["tags.jsonl"]
    write_text_atomic(path, "today\n")
    assert path.read_text() == "today\n" and os.listdir(tmp_path) == ["tags.jsonl"]


def test_written_files_get_the_mode_open_would_give(tmp_path):
    umask = os.umask(0o027)
    try:
        write_bytes_atomic(tmp_path / "plot.png", b"\x89PNG")
    finally:
        os.umask(umask)
    assert (tmp_path / "plot.png").stat().st_mode & 0o777 == 0o640


def test_read_regular_refuses_links_and_fifos(tmp_path):
    real = tmp_path / "manifest.json"
    real.write_text("{}")
    assert read_regular(real) == b"{}"
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(NotRegularFileError, match="symbolic link"):
        read_regular(tmp_path / "link")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(NotRegularFileError, match="not a regular file"):
        read_regular(tmp_path / "fifo")  # returns at once: a FIFO with no writer would hang a plain open
