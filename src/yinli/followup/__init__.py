"""After the signing: funds in place, alert rules and alerts, permit checklists, a project's follow-through panel."""
