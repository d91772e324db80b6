# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Hostile addons, written into a temporary folder: files that attack a reader
(entities, bombs, depth, size, garbage, encodings, code, paths, links, cycles).

Shared by tests/test_hostile_input.py (the engine at each level, the run model
and the upload API). Generated rather than committed: a 21 MiB file, links that
point outside the checkout and a marker path only exist on the machine.
"""

import contextlib
import os
import random
import signal
import threading

MANIFEST = "{'name': %r, 'version': '1.0.0', 'license': 'LGPL-3', 'depends': %r, 'data': %r}\n"
# What /etc/passwd always starts with: must never show up in a finding.
PASSWD_MARK = "root:"

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE odoo [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<odoo><record id="laugh" model="res.partner"><field name="name">&lol9;</field></record></odoo>\n'
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE odoo [<!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
    '<!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>\n'
    '<odoo><record id="xxe" model="res.partner"><field name="name">&xxe;&net;</field></record></odoo>\n'
)


def _module(root, name, files, depends=("base",), data=(), manifest=None):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "__manifest__.py"), "wb") as handle:
        handle.write(manifest if manifest is not None else (MANIFEST % (name, list(depends), list(data))).encode())
    if "__init__.py" not in files:
        files = {"__init__.py": b"", **files}
    for relative, content in files.items():
        path = os.path.join(folder, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content)
    return folder


def build_hostile_addons(root, marker):
    """Write the hostile modules under ``root``; returns ``{name: what it attacks}``.

    ``marker`` is a path that code in a manifest or a Python file would create
    if anything ran it.
    """
    garbage = random.Random(13).randbytes(64 * 1024)  # fixed seed: the same bytes every run
    touch = f"open({marker!r}, 'w').write('ran')"
    modules = {}

    def add(name, attack, files, **kwargs):
        _module(root, name, files, **kwargs)
        modules[name] = attack

    add("mvh_xxe", "external entities (file and network)", {"data/xxe.xml": XXE.encode()},
        data=["data/xxe.xml"])
    add("mvh_laughs", "billion laughs", {"data/laughs.xml": BILLION_LAUGHS.encode()},
        data=["data/laughs.xml"])
    add("mvh_deep_xml", "100 000 nested elements",
        {"data/deep.xml": b"<odoo>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</odoo>"},
        data=["data/deep.xml"])
    add("mvh_deep_python", "nested expressions past the parser's and the compiler's limits", {
        "__init__.py": b"from . import deep, long\n",
        "deep.py": b"x = " + b"(" * 500 + b"1" + b")" * 500 + b"\n",
        "long.py": b"x = 1" + b" + 1" * 200_000 + b"\n" + b"y = " + b"-" * 200_000 + b"1\n",
    })
    add("mvh_deep_manifest", "a manifest nested past the parser's limit", {},
        manifest=b"{'name': 'deep', 'depends': " + b"[" * 1000 + b"]" * 1000 + b"}")
    add("mvh_long_manifest", "a manifest expression too deep for literal_eval", {},
        manifest=b"{'name': 'long', 'sequence': " + b"-" * 100_000 + b"1}")
    add("mvh_huge", "files over the size limit (sparse, 21 MiB)", {}, data=["data/huge.xml", "data/huge.csv"])
    for relative in ("data/huge.xml", "data/huge.csv", "models/huge.py"):
        path = os.path.join(root, "mvh_huge", relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.truncate(21 * 1024 * 1024)
    add("mvh_garbage", "binary garbage in every kind of file", {
        "__init__.py": b"from . import models\n",
        "models/__init__.py": b"from . import garbage\n",
        "models/garbage.py": garbage,
        "models/nul.py": b"x = 1\n\0\0\0",
        "data/garbage.xml": garbage,
        "data/res.partner.csv": garbage,
        "data/ir.model.access.csv": b"id,name\0,model_id:id\nx,\0y,\0\n",
    }, data=["data/garbage.xml", "data/res.partner.csv", "data/ir.model.access.csv"])
    add("mvh_encoding", "files in the wrong encodings", {
        "data/latin1.xml": '<?xml version="1.0" encoding="utf-8"?>\n<odoo><record id="é" model="res.partner">'
                           '<field name="name">café</field></record></odoo>\n'.encode("latin-1"),
        "data/res.partner.csv": "id,name\npartner_1,Zoë\n".encode("utf-16"),
        "models/latin1.py": "# no coding line\nNAME = 'café'\n".encode("latin-1"),
        "__init__.py": b"from . import models\n",
        "models/__init__.py": b"from . import latin1\n",
    }, data=["data/latin1.xml", "data/res.partner.csv"])
    add("mvh_manifest_bytes", "a manifest that is not UTF-8", {}, manifest="{'name': 'Café'}".encode("latin-1"))
    add("mvh_code_manifest", "code in the manifest", {},
        manifest=f"{{'name': {touch}, 'depends': ['base'], 'version': __import__('os').getcwd()}}".encode())
    add("mvh_code_python", "code at import time and in hooks", {
        "__init__.py": f"{touch}\nfrom .hooks import post_init\n".encode(),
        "hooks.py": f"{touch}\ndef post_init(env):\n    {touch}\n".encode(),
    }, manifest=b"{'name': 'code', 'version': '1.0.0', 'license': 'LGPL-3', 'depends': ['base'],"
                b" 'post_init_hook': 'post_init'}")
    add("mvh_traversal", "manifest paths outside the module", {}, data=[
        "../../../../../../etc/passwd", "/etc/passwd", "data/../../mvh_xxe/data/xxe.xml",
        "data/%2e%2e/x.xml", "C:\\windows\\win.ini", "", "\0",
    ])
    add("mvh_symlink", "symbolic links out of the module and in loops", {},
        data=["data/passwd.xml", "data/passwd.csv", "data/loop/loop/loop/x.xml"])
    folder = os.path.join(root, "mvh_symlink")
    os.makedirs(os.path.join(folder, "data"), exist_ok=True)
    os.makedirs(os.path.join(folder, "models"), exist_ok=True)
    outside = os.path.join(root, "outside.py")
    with open(outside, "wb") as handle:
        handle.write(f"{touch}\n".encode())
    os.symlink("/etc/passwd", os.path.join(folder, "data", "passwd.xml"))
    os.symlink("/etc/passwd", os.path.join(folder, "data", "passwd.csv"))
    os.symlink(".", os.path.join(folder, "data", "loop"))
    os.symlink(folder, os.path.join(folder, "models", "self"))
    os.symlink(outside, os.path.join(folder, "models", "outside.py"))
    with open(os.path.join(folder, "__init__.py"), "wb") as handle:
        handle.write(b"from .models import outside\n")
    add("mvh_cycle_a", "a dependency cycle", {}, depends=["base", "mvh_cycle_b"])
    add("mvh_cycle_b", "a dependency cycle", {}, depends=["mvh_cycle_a"])
    add("mvh_self", "a module that depends on itself", {}, depends=["mvh_self"])
    add("mvh_odd_manifest", "a manifest with values of every wrong type", {}, manifest=(
        b"{'name': b'bytes', 'version': 18.0, 'depends': {'base': 1}, 'data': [None, 1, ['x'], b'y'],"
        b" 'demo': 'demo.xml', 'license': None, 'installable': 'yes', 'auto_install': ['nope'],"
        b" 'external_dependencies': {'python': [1, None], 'bin': 'ls'}, 'assets': ['x'],"
        b" 'post_init_hook': 3, 'pre_init_hook': None, 'sequence': 'first', 'category': {},"
        b" 'summary': '\\x00', 'author': ('a', 'b'), 1: 2, None: 'x'}"))
    add("mvh_nul_manifest", "NUL characters in the manifest's values and paths", {}, manifest=(
        b"{'name': 'nul\\x00', 'version': '1.0.0\\x00', 'license': 'LGPL-3', 'depends': ['base'],"
        b" 'data': ['data/\\x00.xml']}"))
    return modules


@contextlib.contextmanager
def time_bound(seconds, what):
    """Fail (rather than hang the suite) when the block runs past ``seconds``.

    Signals only reach the main thread; elsewhere the block runs unbounded and
    the caller's own duration check is the only guard.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum, _frame):
        raise TimeoutError(f"{what} ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
