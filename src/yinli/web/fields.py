"""Form fields for what people type: places as text, amounts as written, dates in any usual form."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yinli.core.models import Region
from yinli.core.parsing import Amount, parse_optional_amount, parse_optional_date

from .money import amount_for_input


def resolve_region_text(text: str) -> Region:
    """A region from what a person typed: a code, or a place name read by the region lookup.

    Raises ValidationError with the lookup's own explanation (not found, or which candidates).
    """
    text = " ".join(text.split())
    region = (
        Region.objects.select_related("city__province", "province", "parent")
        .filter(code=text)
        .first()
    )
    if region is not None:
        return region
    try:
        from yinli.core.regions import resolve_region

        region, result = resolve_region(text)
    except ImportError:  # the free-text lookup is not installed: codes only
        raise ValidationError(
            _('No region has the code "%(text)s".'), code="region", params={"text": text}
        ) from None
    if region is None:
        message = getattr(result, "message", "") or _('Cannot find the place "%(text)s".') % {
            "text": text
        }
        raise ValidationError(message, code="region")
    return region


class RegionField(forms.CharField):
    """A place typed as text ("深圳", "韩国首尔", or a code), cleaned to a Region.

    A form shows an existing region by its full name; that exact text reads back to the same
    region without asking the lookup again (`known`).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.known: dict[str, Region] = {}

    def remember(self, region: Region | None) -> str:
        if region is None:
            return ""
        self.known[region.full_name] = region
        return region.full_name

    def prepare_value(self, value):
        if isinstance(value, Region):
            return self.remember(value)
        if isinstance(value, int):
            region = (
                Region.objects.select_related("city__province", "province", "parent")
                .filter(pk=value)
                .first()
            )
            return self.remember(region)
        return value

    def clean(self, value):
        text = " ".join((super().clean(value) or "").split())
        if not text:
            return None
        if text in self.known:
            return self.known[text]
        return resolve_region_text(text)


class AmountField(forms.CharField):
    """An amount typed as people write it ("3.5亿元", "12,000万", "2亿美元"), cleaned to an Amount.

    `currency` requires that currency (total investment is in 元); None allows any.
    """

    def __init__(self, *args, currency: str | None = "CNY", default_unit: str = "万元", **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.default_unit = default_unit
        self.stored_currency = currency or "USD"

    def prepare_value(self, value):
        if isinstance(value, Decimal | int):
            return amount_for_input(Decimal(value), self.stored_currency)
        return value

    def clean(self, value) -> Amount | None:
        text = super().clean(value)
        amount = parse_optional_amount(text, default_unit=self.default_unit)
        if amount is not None and self.currency and amount.currency != self.currency:
            raise ValidationError(
                _('"%(text)s" is not in yuan; enter this amount in 元 (万元 or 亿元).'),
                code="currency",
                params={"text": text},
            )
        return amount


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class LenientDateField(forms.DateField):
    """A date from a date picker, or typed as a ledger writes it ("2025.3.12", "2025年3月12日")."""

    widget = DateInput

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        text = (value or "").strip()
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            parsed = parse_optional_date(text, allow_month=False)
            return parsed.date if parsed else None


def bootstrap(form: forms.BaseForm) -> None:
    """Give every widget of a form Bootstrap's classes."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def apply_service_errors(form: forms.BaseForm, error: ValidationError, aliases=None) -> None:
    """Put a service's ValidationError next to the fields it names (the rest above the form)."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = aliases.get(name, name)
            messages = ValidationError(errors).messages
            if target in form.fields:
                form.add_error(target, messages)
            else:
                label = _field_label(form, name)
                form.add_error(None, [f"{label}：{m}" if label else m for m in messages])
    else:
        form.add_error(None, error.messages)


def _field_label(form, name: str) -> str:
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return ""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return ""
