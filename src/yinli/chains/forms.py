"""Forms of the chain editor: a chain, a node (keyword lists as text, one word per line)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yinli.web.fields import bootstrap

from .models import Chain, ChainNode


class ChainForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Chain
        fields = ["name", "description", "industries", "sort_order"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "industries": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        bootstrap(self)


class NodeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ChainNode
        fields = [
            "name",
            "segment",
            "parent",
            "keywords",
            "exclude_words",
            "industry_codes",
            "sort_order",
        ]
        widgets = {
            "keywords": forms.Textarea(attrs={"rows": 6}),
            "exclude_words": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "keywords": _("One per line (or separated by 、 or commas)."),
        }

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chain = chain
        parents = ChainNode.objects.filter(chain=chain)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        bootstrap(self)


class AddCompanyForm(forms.Form):
    company = forms.CharField(
        label=_("Company"),
        max_length=200,
        help_text=_("The exact company name or its number in the registry."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
