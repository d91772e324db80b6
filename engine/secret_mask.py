# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""No secret is stored verbatim: findings, excerpts and the engine's log lines
are masked before they leave the engine (issue 13, item 6).

Three sources of secrets, all replaced by ``MASK``:

* the values a module's own files give to secret-named settings (``password``,
  ``token``, ``api_key``, ``secret``...): assignments in any text file, XML
  ``<field name="password">`` values and string literals of their ``eval``,
  CSV columns so named. A finding quoting the file (an eval expression, a log
  line of the module's install) then shows ``********`` instead;
* the server's own secrets (``db_password``, ``admin_passwd``,
  ``smtp_password``... of the Odoo configuration, and ``PGPASSWORD``);
* what looks like a credential whatever its name: ``name=value`` pairs whose
  name says secret, passwords in URLs, private keys, and the shapes of
  well-known tokens (AWS, GitHub, GitLab, Slack, Stripe, Google, JWT).
"""

import csv
import io
import os
import re

MASK = "********"
# Shorter values are too likely to be ordinary words of a message.
MIN_SECRET_LENGTH = 6
MAX_FILE_BYTES = 1024 * 1024
TEXT_SUFFIXES = (".py", ".xml", ".csv", ".conf", ".cfg", ".ini", ".env", ".yml", ".yaml", ".json",
                 ".txt", ".toml", ".sh", ".js", ".properties", "")
CONFIG_SUFFIXES = (".conf", ".cfg", ".ini", ".env", ".properties", ".toml", "")
SKIPPED_DIRS = {"static", "node_modules", "__pycache__", ".git"}

SECRET_NAME = (r"(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
               r"private[_-]?key|client[_-]?secret|auth[_-]?key|credentials?|dsn)")
SECRET_NAME_RE = re.compile(rf"^[\w.-]*{SECRET_NAME}[\w.-]*$", re.IGNORECASE)
# ``name = 'value'``, ``"name": "value"`` (quoted), ``name=value`` (config files, DSNs).
ASSIGNMENT_RE = re.compile(
    rf"""(?P<name>\b[\w.-]*{SECRET_NAME}[\w.-]*)['"]?\s*"""
    r"""(?:(?:[:=]|=>)\s*(?P<quote>['"])(?P<quoted>[^'"\n]+)(?P=quote)|=\s*(?P<bare>[^\s'",;)}\]]+))""",
    re.IGNORECASE,
)
XML_FIELD_TEXT_RE = re.compile(
    rf"""<field\s[^>]*?name=(['"])[\w.-]*{SECRET_NAME}[\w.-]*\1[^>]*>(?P<value>[^<]+)</field>""",
    re.IGNORECASE,
)
XML_FIELD_EVAL_RE = re.compile(
    rf"""<field\s[^>]*?name=(['"])[\w.-]*{SECRET_NAME}[\w.-]*\1[^>]*?\beval=(['"])(?P<value>.*?)\2""",
    re.IGNORECASE | re.DOTALL,
)
STRING_LITERAL_RE = re.compile(r"""(['"])((?:(?!\1).){%d,})\1""" % MIN_SECRET_LENGTH)
TOKEN_RES = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})\b"),  # GitHub
    re.compile(r"\bglpat-[\w-]{20,}\b"),  # GitLab
    re.compile(r"\bxox[abprs]-[\w-]{10,}\b"),  # Slack
    re.compile(r"\b[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}\b"),  # Stripe
    re.compile(r"\bAIza[\w-]{35}\b"),  # Google API key
    re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}\b"),  # JWT
]
URL_PASSWORD_RE = re.compile(r"(?P<head>\b[a-z][\w+.-]*://[^\s:/@]+:)(?P<value>[^\s@/]+)(?=@)", re.IGNORECASE)
SERVER_SECRET_KEYS = re.compile(r"pass|secret|token|key", re.IGNORECASE)


# Every alternative of SECRET_NAME holds one of these words (lower case).
SECRET_WORDS = ("pass", "pwd", "secret", "token", "key", "credential", "dsn")


def _assignments(text):
    """The matches of ASSIGNMENT_RE in ``text``, in order.

    The regex alone tries its name at every position of the text, as slow as
    parsing it (bench/run speed): plain searches for the secret words find
    where a name may be, and the regex runs from the start of that name only.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: offsets differ
        yield from ASSIGNMENT_RE.finditer(text)
        return
    hits = set()
    for word in SECRET_WORDS:
        at = lowered.find(word)
        while at != -1:
            hits.add(at)
            at = lowered.find(word, at + 1)
    end = 0
    for hit in sorted(hits):
        if hit < end:
            continue  # inside the previous match
        start = hit
        while start > end and (text[start - 1].isalnum() or text[start - 1] in "_.-"):
            start -= 1
        for candidate in range(start, hit + 1):
            match = ASSIGNMENT_RE.match(text, candidate)
            if match:
                end = match.end()
                yield match
                break


def _usable(value):
    value = value.strip()
    return value if len(value) >= MIN_SECRET_LENGTH and value != MASK else None


def secrets_in_text(text, suffix=""):
    """The secret values ``text`` (a file's content) gives to secret-named settings."""
    found = set()
    for match in _assignments(text):
        # Unquoted values only in configuration files: in code they are expressions.
        if match.group("quoted") or suffix in CONFIG_SUFFIXES:
            found.add(match.group("quoted") or match.group("bare"))
    if suffix in (".xml", ""):
        for match in XML_FIELD_TEXT_RE.finditer(text):
            found.add(match.group("value"))
        for match in XML_FIELD_EVAL_RE.finditer(text):
            found.update(literal[1] for literal in STRING_LITERAL_RE.findall(match.group("value")))
    if suffix == ".csv":
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error:
            rows = []
        if rows:
            columns = [i for i, name in enumerate(rows[0]) if SECRET_NAME_RE.match(name.strip())]
            found.update(row[i] for row in rows[1:] for i in columns if i < len(row))
    return {value for value in map(_usable, filter(None, found)) if value}


def module_secrets(root):
    """The secret values found in the text files of the module folder ``root``."""
    found = set()
    real_root = os.path.realpath(root)
    for folder, dirs, files in os.walk(real_root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in files:
            suffix = os.path.splitext(name)[1].lower()
            if suffix not in TEXT_SUFFIXES:
                continue
            path = os.path.join(folder, name)
            try:
                if os.path.islink(path) or os.path.getsize(path) > MAX_FILE_BYTES:
                    continue
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8", "replace")
            except (OSError, ValueError):
                continue
            found |= secrets_in_text(text, suffix)
    return frozenset(found)


def server_secrets():
    """The running server's secrets: its configuration's passwords and keys, PGPASSWORD."""
    found = set()
    try:
        from odoo.tools import config  # noqa: PLC0415 - the engine also runs without Odoo's config
    except ImportError:
        config = {}
    for key in list(getattr(config, "options", config)):
        if SERVER_SECRET_KEYS.search(key):
            value = config.get(key)
            if isinstance(value, str):
                found.add(value)
    if os.environ.get("PGPASSWORD"):
        found.add(os.environ["PGPASSWORD"])
    return frozenset(value for value in map(_usable, found) if value)


def mask(text, known=()):
    """``text`` with every known secret and every credential-shaped value masked."""
    if not text or not isinstance(text, str):
        return text
    for value in sorted(known, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    for pattern in TOKEN_RES:
        text = pattern.sub(MASK, text)
    text = URL_PASSWORD_RE.sub(lambda m: m.group("head") + MASK, text)

    def masked_assignment(match):
        value = match.group("quoted") or match.group("bare")
        if not _usable(value):
            return match.group(0)
        start, end = match.span("quoted") if match.group("quoted") else match.span("bare")
        offset = match.start()
        return match.group(0)[: start - offset] + MASK + match.group(0)[end - offset:]

    return ASSIGNMENT_RE.sub(masked_assignment, text)
