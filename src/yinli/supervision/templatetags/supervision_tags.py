"""Template helpers of the supervision app."""

from __future__ import annotations

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from ..documents import accept_attribute
from ..models import DocumentKind

register = template.Library()


@register.simple_tag
def document_upload_url(owner) -> str:
    owner_type = ContentType.objects.get_for_model(owner)
    return reverse("supervision:document-upload", args=[owner_type.pk, owner.pk])


@register.simple_tag
def document_kinds():
    return DocumentKind.choices


@register.filter
def owner_key(owner) -> str:
    """ "project-12", "obstacle-3": an id for the owner's document block."""
    return f"{owner._meta.model_name}-{owner.pk}"


@register.simple_tag
def document_accept() -> str:
    return accept_attribute()


@register.filter
def filesize(size) -> str:
    size = int(size or 0)
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size // 1024, 1)} KB"
