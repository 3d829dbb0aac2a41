"""The core's exceptions, raised near the cause and mapped once per interface."""


class KbbotError(Exception):
    """Base class of every error kbbot reports to a person: `message` says what is wrong, after the
    places it names when there are some (a file, a key, a field: "articles/a.md: title: is empty")."""

    def __init__(self, message="", *places):
        super().__init__(": ".join([*(str(place) for place in places if place), message]))
        self.message = message


class ArticleError(KbbotError):
    """An article source that cannot be imported: names the file and what is wrong."""

    def __init__(self, path, message):
        super().__init__(message, path)
        self.path = path


class SettingsError(KbbotError):
    """A help center's settings file that cannot be used: names the file, the key and what is wrong."""

    def __init__(self, path, key, message):
        super().__init__(message, path, key)
        self.path, self.key = path, key


class IndexCorrupt(KbbotError):
    """The on-disk index cannot be trusted; the caller rebuilds it from the database."""


class IndexMissing(IndexCorrupt):
    """No index was saved yet (a first start, or the index directory was cleared)."""


class IndexNotSaved(KbbotError):
    """The index could not be written (a full disk...); the one saved before is unchanged."""


class ModelError(KbbotError):
    """The configured embedding model cannot be loaded."""


class MailboxUnreachable(KbbotError):
    """The support mailbox (IMAP) cannot be read: names the server and the failure, never the password."""


class NotFound(KbbotError):
    """The thing asked for does not exist, or is not the asker's to see."""


class Conflict(KbbotError):
    """The request contradicts what is already recorded (a second survey answer...)."""


class InvalidInput(KbbotError):
    """A value that breaks a rule the schema cannot express; names the field."""

    def __init__(self, field, message):
        super().__init__(message, field)
        self.field = field
