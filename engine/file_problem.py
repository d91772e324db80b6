# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A file the index cannot use, with the line where that shows."""


class FileProblem(Exception):
    """A file that cannot be used, with the line where that shows, if any."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __reduce__(self):
        # Summaries holding a problem are cached with pickle (parse_cache.py).
        return FileProblem, (self.message, self.line)
