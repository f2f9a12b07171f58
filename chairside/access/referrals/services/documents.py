"""Documents attached to referrals and authorizations: PDFs and images, checked by content.

Files go through Django's storage API (local disk by default); they are named randomly and
served only through a permission-checked view, never by their storage URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from chairside.access.referrals.models import DocumentBase, ReferralDocument
from chairside.access.referrals.services._common import audit
from chairside.audit.models import AuditEvent
from chairside.core.actors import acting_user

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

# Recognised by their first bytes, not by the name or the browser's claim.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"II*\x00", "image/tiff", "tif"),  # faxes often arrive as TIFF
    (b"MM\x00*", "image/tiff", "tif"),
)


def sniff_document(upload: UploadedFile[Any]) -> tuple[str, str]:
    """(content type, extension) of a PDF or image; ValidationError for anything else."""
    if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {"file": "The file is larger than 20 MB; scan it at a lower resolution."}
        )
    if not upload.size:
        raise ValidationError({"file": "The file is empty."})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    raise ValidationError({"file": "Attach a PDF or an image (PNG, JPEG or TIFF)."})


def store_document(document: DocumentBase, upload: UploadedFile[Any], *, title: str) -> None:
    """Validate and save the file and its row; the file is removed again if the row fails."""
    content_type, extension = sniff_document(upload)
    document.title = (title or upload.name or "Document").strip()[:160]
    document.content_type = content_type
    document.size_bytes = upload.size or 0
    document.file.save(f"upload.{extension}", upload, save=False)
    try:
        document.full_clean()
        with transaction.atomic():
            document.save()
    except Exception:
        document.file.delete(save=False)
        raise


@transaction.atomic
def referral_document_add(
    *, referral: Any, user: User, upload: UploadedFile[Any], kind: str, title: str = ""
) -> ReferralDocument:
    """Attach a referral form, clinical notes, labs or an insurance card to a referral."""
    document = ReferralDocument(
        referral=referral,
        kind=kind,
        uploaded_by=acting_user(user),
    )
    store_document(document, upload, title=title)
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        obj=document,
        organization=referral.organization,
        patient=referral.patient,
        changes={"document": [None, document.title], "kind": [None, kind]},
    )
    return document
