# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Addons uploaded as a zip to the validation API: checked, then unpacked.

An upload is hostile until proven otherwise. :func:`extract` reads the
archive's directory first and refuses it, before writing a byte, when it is
too big, holds too many files, compresses too well (a zip bomb), or names an
absolute path, a ``..``, a symbolic link, a device, two entries that are the
same file once normalised, or an archive inside the archive. It then writes
regular files only, with ``O_EXCL | O_NOFOLLOW``, counting the bytes really
inflated (a header may lie about sizes). Nothing here imports or runs the
uploaded code, and nothing imports Odoo: the tests use it directly.

The archive's top level is an addons folder: one folder per module, each
with its manifest (what ``tools/mv_client.py`` sends).
"""

import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass

MODULE_NAME = re.compile(r"^[a-z0-9_]+$")
MANIFESTS = ("__manifest__.py", "__openerp__.py")
# Archives by name; office documents are zip files too, but the validator
# never opens them, and addons ship them as report templates.
ARCHIVE_SUFFIXES = (
    ".zip", ".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst", ".gz", ".bz2", ".xz", ".lz",
    ".lzma", ".zst", ".7z", ".rar", ".whl", ".egg", ".jar", ".war", ".apk", ".cab", ".cpio",
    ".ar", ".deb", ".rpm", ".iso",
)
OFFICE_SUFFIXES = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".odg")
# ...and by content, whatever the name says.
ARCHIVE_MAGIC = (
    b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07", b"\x28\xb5\x2f\xfd", b"\x5d\x00\x00", b"MSCF",
)
TAR_MAGIC_OFFSET = 257
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """What an upload may hold; sizes in bytes."""

    max_compressed: int = 20 * 1024 * 1024
    max_uncompressed: int = 100 * 1024 * 1024
    max_files: int = 5000
    max_ratio: int = 100  # uncompressed / compressed, per file and overall


class Refused(Exception):
    """The upload is refused: ``status`` (413 or 422) and a stable ``code``."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _too_large(code, message):
    return Refused(413, code, message)


def _invalid(code, message):
    return Refused(422, code, message)


def normalised(name):
    """The entry's path as the file system will see it, or a Refused."""
    if "\x00" in name or any(ord(char) < 32 for char in name):
        raise _invalid("bad_name", f"control character in the entry name {name!r}")
    path = name.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise _invalid("absolute_path", f"absolute path in the archive: {name!r}")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _invalid("path_traversal", f"'..' in the archive: {name!r}")
    if not parts:
        raise _invalid("bad_name", f"empty entry name {name!r}")
    return "/".join(parts)


def _kind(info):
    """'dir', 'file', or why the entry is refused (symbolic link, device...)."""
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode:  # Unix attributes
        if stat.S_ISLNK(mode):
            raise _invalid("symlink", f"symbolic link in the archive: {info.filename!r}")
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            raise _invalid("device", f"device, pipe or socket in the archive: {info.filename!r}")
        if stat.S_ISDIR(mode):
            return "dir"
    return "dir" if info.filename.endswith(("/", "\\")) else "file"


def _is_archive_name(path):
    lower = path.lower()
    return lower.endswith(ARCHIVE_SUFFIXES) and not lower.endswith(OFFICE_SUFFIXES)


def _is_archive_content(path, head):
    if path.lower().endswith(OFFICE_SUFFIXES):
        return False
    if any(head.startswith(magic) for magic in ARCHIVE_MAGIC):
        return True
    return head[TAR_MAGIC_OFFSET:TAR_MAGIC_OFFSET + 5] == b"ustar"


def check(archive, limits):
    """The entries to write, as ``[(info, path, kind)]``; Refused when the
    archive's directory alone shows it must not be unpacked."""
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        raise _too_large("too_many_files",
                         f"{len(infos)} entries in the archive; the limit is {limits.max_files}")
    total = compressed = 0
    seen = {}
    entries = []
    for info in infos:
        path = normalised(info.filename)
        kind = _kind(info)
        if info.flag_bits & 0x1:
            raise _invalid("encrypted", f"encrypted entry in the archive: {info.filename!r}")
        key = unicodedata.normalize("NFC", path).casefold()
        if key in seen:
            raise _invalid("duplicate_name",
                           f"{info.filename!r} and {seen[key]!r} are the same file once normalised")
        seen[key] = info.filename
        if kind == "file":
            if _is_archive_name(path):
                raise _invalid("nested_archive", f"archive inside the archive: {info.filename!r}")
            total += info.file_size
            compressed += info.compress_size
            if info.file_size > limits.max_ratio * max(info.compress_size, 1) and info.file_size > CHUNK:
                raise _too_large("compression_ratio",
                                 f"{info.filename!r} inflates {info.file_size // max(info.compress_size, 1)} "
                                 f"times; the limit is {limits.max_ratio}")
        entries.append((info, path, kind))
    if total > limits.max_uncompressed:
        raise _too_large("uncompressed_too_large",
                         f"{total} bytes once unpacked; the limit is {limits.max_uncompressed}")
    if total > CHUNK and total > limits.max_ratio * max(compressed, 1):
        raise _too_large("compression_ratio",
                         f"the archive inflates {total // max(compressed, 1)} times; "
                         f"the limit is {limits.max_ratio}")
    # A file and a folder of the same name, e.g. "a" and "a/b".
    for key in seen:
        parent = key.rpartition("/")[0]
        while parent:
            if parent in seen and not seen[parent].endswith(("/", "\\")):
                raise _invalid("duplicate_name", f"{seen[parent]!r} is both a file and a folder")
            parent = parent.rpartition("/")[0]
    return entries


def module_names(entries):
    """The modules at the archive's top level: folders holding a manifest."""
    names = sorted({
        path.split("/")[0] for _info, path, kind in entries
        if kind == "file" and path.count("/") == 1 and path.split("/")[1] in MANIFESTS
    })
    if not names:
        raise _invalid("no_module", "no module in the archive: its top level must hold one folder "
                       "per module, each with a __manifest__.py")
    bad = [name for name in names if not MODULE_NAME.match(name)]
    if bad:
        raise _invalid("bad_module_name", f"not a module name: {', '.join(bad)} (use a-z, 0-9 and _)")
    return names


def extract(source, destination, limits=Limits()):
    """Check the zip ``source`` (a path or a binary file) and unpack it into
    the existing, empty folder ``destination``; returns the module names.

    Raises Refused: 413 for the size, file count and ratio limits, 422 for
    the rest. On a refusal, ``destination`` may hold part of the files: the
    caller deletes it.
    """
    if hasattr(source, "seek"):
        source.seek(0, os.SEEK_END)
        size = source.tell()
        source.seek(0)
    else:
        size = os.path.getsize(source)
    if size > limits.max_compressed:
        raise _too_large("archive_too_large", f"the archive has {size} bytes; the limit is {limits.max_compressed}")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise _invalid("not_a_zip", f"the upload is not a readable zip archive: {error}") from None
    with archive:
        entries = check(archive, limits)
        names = module_names(entries)
        written = 0
        for info, path, kind in entries:
            target = os.path.join(destination, *path.split("/"))
            if kind == "dir":
                os.makedirs(target, mode=0o700, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
            written = _write(archive, info, path, target, written, limits)
    return names


def _write(archive, info, path, target, written, limits):
    """Inflate one entry, counting real bytes against the limits."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(target, flags, 0o600)
    inflated = 0
    try:
        with archive.open(info) as member, os.fdopen(descriptor, "wb") as out:
            first = True
            while chunk := member.read(CHUNK):
                if first and _is_archive_content(path, chunk):
                    raise _invalid("nested_archive", f"archive inside the archive: {info.filename!r}")
                first = False
                inflated += len(chunk)
                written += len(chunk)
                if written > limits.max_uncompressed:
                    raise _too_large("uncompressed_too_large",
                                     f"more than {limits.max_uncompressed} bytes once unpacked")
                if inflated > CHUNK and inflated > limits.max_ratio * max(info.compress_size, 1):
                    raise _too_large("compression_ratio", f"{info.filename!r} inflates beyond "
                                     f"{limits.max_ratio} times its size")
                out.write(chunk)
    except zipfile.BadZipFile as error:
        raise _invalid("not_a_zip", f"{info.filename!r} is damaged: {error}") from None
    except (RuntimeError, NotImplementedError) as error:  # encrypted, unknown compression
        raise _invalid("unsupported_entry", f"{info.filename!r} cannot be read: {error}") from None
    return written
