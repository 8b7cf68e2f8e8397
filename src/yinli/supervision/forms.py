"""Forms of the supervision pages. They only read input; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinli.core import scoping as core_scoping
from yinli.core.models import OrgUnit, User
from yinli.projects.models import Project
from yinli.web.fields import LenientDateField, bootstrap

from .documents import accept_attribute
from .models import Department, DocumentKind, ObstacleCategory


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DocumentForm(_Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Document kind"), choices=DocumentKind.choices, initial="other"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = accept_attribute()


class ObstacleForm(_Form):
    title = forms.CharField(label=_("Problem"), max_length=200)
    category = forms.ChoiceField(label=_("Obstacle category"), choices=ObstacleCategory.choices)
    department = forms.ModelChoiceField(
        label=_("Department responsible"), queryset=Department.objects.filter(active=True)
    )
    deadline = LenientDateField(label=_("Deadline"))
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ProgressForm(_Form):
    text = forms.CharField(label=_("Progress notes"), widget=forms.Textarea(attrs={"rows": 2}))
    on = LenientDateField(label=_("Date"), required=False)


class CloseForm(_Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        required=False,  # the service says why it is needed, in its own words
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReopenForm(_Form):
    reason = forms.CharField(label=_("Reason"), required=False)
    deadline = LenientDateField(label=_("New deadline"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        unit = obj.org_unit.display_name if obj.org_unit_id else ""
        return f"{obj}（{unit}）" if unit else str(obj)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        unit = obj.org_unit.display_name if obj.org_unit_id else ""
        return f"{obj}（{unit}）" if unit else str(obj)


def _people():
    return (
        User.objects.filter(is_active=True)
        .select_related("org_unit")
        .order_by("org_unit__sort_order", "username")
    )


class TaskForceForm(_Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    lead = UserChoiceField(label=_("Task force lead"), queryset=User.objects.none())
    members = UserMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    linked_leader = UserChoiceField(
        label=_("Linked leader (挂钩领导)"), queryset=User.objects.none(), required=False
    )
    linked_leader_name = forms.CharField(
        label=_("Linked leader's name"),
        max_length=64,
        required=False,
        help_text=_("When the leader has no login, the name (and title) as it is written."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead", "members", "linked_leader"):
            self.fields[name].queryset = _people()


class InstructionForm(_Form):
    text = forms.CharField(label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 3}))
    issued_on = LenientDateField(label=_("Date"))
    leader = UserChoiceField(label=_("Leader"), queryset=User.objects.none(), required=False)
    leader_name = forms.CharField(
        label=_("Leader's name"),
        max_length=64,
        required=False,
        help_text=_("When the leader has no login."),
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    matter = forms.CharField(label=_("Matter"), max_length=200, required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Units assigned"),
        queryset=OrgUnit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        required=False,
    )
    deadline = LenientDateField(label=_("Deadline"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = _people()
        self.fields["project"].queryset = core_scoping.visible_projects(user).order_by("name")
        self.fields["units"].queryset = OrgUnit.objects.filter(Q(valid_to__isnull=True)).order_by(
            "sort_order", "code"
        )


class ResponseForm(_Form):
    response = forms.CharField(
        label=_("Report back"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DoneForm(_Form):
    note = forms.CharField(label=_("Note"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
