"""Output files: atomic, never an input, clear errors for bad paths (issue "Trust" §3)."""

import os

import pytest

from mechdesign import _files
from mechdesign._files import check_output, input_scope, record_input, write_output
from mechdesign.errors import SpecError
from mechdesign.io.loader import load_data


def test_writes_and_replaces_atomically(tmp_path):
    target = tmp_path / "out.json"
    write_output(target, "first\n")
    assert target.read_text() == "first\n"
    os.chmod(target, 0o640)
    write_output(target, b"second\n")
    assert target.read_bytes() == b"second\n"
    assert (os.stat(target).st_mode & 0o777) == 0o640          # a replaced file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]   # no temporary file left


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text('{"valid": true}\n')

    def full_disk(fd):
        raise OSError(27, "File too large")                  # what `ulimit -f` or a full disk gives

    monkeypatch.setattr(_files.os, "fsync", full_disk)
    with pytest.raises(SpecError, match=r"--json: a file that can be written \(got .*File too large; nothing was changed\)"):
        write_output(target, "x" * 10_000, name="--json")
    assert target.read_text() == '{"valid": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_interrupt_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("old\n")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(_files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(target, "new\n")
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["report.json"]


def under_a_file(folder):
    (folder / "plain").write_text("x")
    return folder / "plain" / "file.json"


@pytest.mark.parametrize("make,message", [
    (lambda d: d, r"a file path \(got .*, which is a directory\)"),
    (lambda d: d / "no" / "such" / "file.json", "a path in an existing folder"),
    (under_a_file, "a path in an existing folder"),
    (lambda d: "", "the path of a file to write"),
    (lambda d: "/dev/null", "a regular file"),
])
def test_bad_paths(tmp_path, make, message):
    with pytest.raises(SpecError, match=message):
        write_output(make(tmp_path), "data", name="--json")


def deny_writes(monkeypatch, denied):
    """Make os.access report ``denied`` as not writable (so the check is tested even as root)."""
    real = os.access

    def access(path, mode, *args, **kwargs):
        if str(path) == str(denied) and mode & os.W_OK:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(_files.os, "access", access)


def test_unwritable_folder(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    deny_writes(monkeypatch, folder)
    with pytest.raises(SpecError, match="no permission to write"):
        write_output(folder / "x.json", "data")
    assert list(folder.iterdir()) == []


def test_read_only_file_is_not_replaced(tmp_path, monkeypatch):
    target = tmp_path / "ro.json"
    target.write_text("keep\n")
    deny_writes(monkeypatch, target)
    with pytest.raises(SpecError, match="read-only"):
        write_output(target, "new")
    assert target.read_text() == "keep\n"


def test_inputs_are_never_replaced(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("players: [A]\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(spec)
    hard = tmp_path / "hard.yaml"
    os.link(spec, hard)
    for target in (spec, link, hard, tmp_path / "." / "spec.yaml"):
        with pytest.raises(SpecError, match="a file that is not an input of this command"):
            write_output(target, "oops", inputs=[spec])
    assert spec.read_text() == "players: [A]\n"


def test_files_read_in_a_scope_are_protected(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("players: [A]\n")
    with input_scope() as inputs:
        load_data(spec)
        assert str(spec.resolve()) in inputs
        with pytest.raises(SpecError, match="not an input"):
            write_output(spec, "oops")
        write_output(tmp_path / "other.json", "fine")
    write_output(tmp_path / "copy.yaml", "outside a scope nothing is recorded")
    record_input(spec)                                      # no scope: a no-op
    assert check_output(spec) == spec.resolve()
