"""Downloads of session documents: never a public URL, always this check first."""

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.private_files import serve

from .models import SessionDocument


@login_required
def material(request, document_id):
    """A session's document, for those ``Session.materials_visible_to`` allows; anyone else
    gets the same French 404 as for a document that does not exist."""
    document = get_object_or_404(SessionDocument.objects.select_related("session"),
                                 pk=document_id)
    if not document.session.materials_visible_to(request.user):
        raise Http404("Document introuvable.")
    content_type = mimetypes.guess_type(document.filename)[0] or "application/octet-stream"
    return serve(document.file, filename=document.filename, content_type=content_type)
