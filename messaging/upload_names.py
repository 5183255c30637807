"""Read an uploaded file's name as its client sent it.

Django's multipart parser gives a file only the last part of its name
("dir/a.txt" becomes "a.txt"), drops some characters and unescapes HTML
entities, and it never undoes the escaping every client applies: browsers,
curl and requests send `"`, CR and LF in a file name as %22, %0D and %0A
(WHATWG HTML, "multipart/form-data encoding algorithm"), so 'a"b.txt'
arrived as "a%22b.txt". That sanitising protects a disk path; Canteen never
puts a name on the disk (messaging.models.attachment_path), so it keeps
the name as sent, for people to see.
"""

from functools import wraps

from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList
from django.utils.encoding import force_str

# Only what the WHATWG algorithm escapes: a name may hold "%" itself.
_ESCAPES = {"%22": '"', "%0D": "\r", "%0A": "\n"}


def unescape(name: str) -> str:
    """Undo a client's escaping of a multipart file name."""
    for escaped, character in _ESCAPES.items():
        name = name.replace(escaped, character)
    return name


def sent_name(upload) -> str:
    """Return the name `upload`'s client sent (before any cleaning), or
    Django's name for it when it was parsed without keep_sent_names."""
    return getattr(upload, "sent_name", None) or upload.name or ""


class _NameKeepingParser(MultiPartParser):
    """A MultiPartParser that also records each file's name as sent on
    the uploaded file, as `sent_name`."""

    _sent = ""

    def sanitize_file_name(self, file_name):
        self._sent = file_name
        # Django's sanitised name still names the temporary file; a part
        # it would drop for its name ("..") is kept under a neutral one.
        return super().sanitize_file_name(file_name) or (file_name and "file")

    def handle_file_complete(self, old_field_name, counters):
        # _encoding and _files are the parser's own (Django since 1.x; not
        # in the type stubs). A part no handler kept adds no file.
        encoding = self._encoding  # type: ignore[attr-defined]
        files = self._files  # type: ignore[attr-defined]
        field = force_str(old_field_name, encoding, errors="replace")
        before = len(files.getlist(field))
        super().handle_file_complete(old_field_name, counters)
        uploads = files.getlist(field)
        if len(uploads) > before:
            uploads[-1].sent_name = unescape(self._sent)


def keep_sent_names(view):
    """Decorate a view so that its request's uploads carry `sent_name`.

    Must wrap the view before anything reads request.POST or FILES."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        def parse_file_upload(META, post_data):
            # What HttpRequest.parse_file_upload does, with this parser.
            request.upload_handlers = ImmutableList(
                request.upload_handlers,
                warning="You cannot alter upload handlers after the upload "
                "has been processed.",
            )
            parser = _NameKeepingParser(
                META, post_data, request.upload_handlers, request.encoding
            )
            return parser.parse()

        request.parse_file_upload = parse_file_upload
        return view(request, *args, **kwargs)

    return wrapper
